"""Celery tasks of the canonical dataset: thin wrappers that load by id and call the module doing the work."""

import logging

from celery import shared_task

from common.tasks import PortalTask

from . import exports, snapshots
from .models import Release

logger = logging.getLogger(__name__)


@shared_task(base=PortalTask)
def build_exports(release_id: int) -> int:
    """Write the release's export files (tidy, JHU, Parquet, Data Package) and the snapshot of its values
    that diffs read; a second run finds them built."""
    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        logger.warning("build_exports: release %s does not exist", release_id)
        return 0
    files = exports.build_release_exports(release=release)
    snapshots.current()
    return len(files)
