"""Celery tasks of the canonical dataset: thin wrappers that load by id and call the module doing the work."""

import logging

from celery import shared_task
from django.db import transaction

from common.tasks import PortalTask, dispatch

from . import exports, snapshots
from .exports import finishing, publish
from .models import Release

logger = logging.getLogger(__name__)


@shared_task(base=PortalTask)
def build_exports(release_id: int) -> int:
    """Write the release's export files (tidy, JHU, Parquet, Data Package) from the snapshot of its values
    (written first when the merge has not: an import's release), rewriting only what changed; a
    second run finds them built."""
    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        logger.warning("build_exports: release %s does not exist", release_id)
        return 0
    snapshots.advance(release)  # written by the merge, unless the release is an import's
    files = exports.build_release_exports(release=release)
    if files:
        publish.publish_latest(release)  # into the store readers download from (docs/storage.md)
        dispatch(finish_exports, release.pk)  # the checksums, off the release's path
    return len(files)


@shared_task(base=PortalTask)
def finish_exports(release_id: int) -> int:
    """Write the release's Parquet and changed JHU files (while it is the latest) and record the whole-file
    checksums of its CSV and .gz (served from their segments); returns how many files it wrote or
    checksummed. Safe to run twice: a second run finds nothing left to do."""
    with transaction.atomic():
        release = Release.objects.select_for_update().filter(pk=release_id).first()
        if release is None:
            logger.warning("finish_exports: release %s does not exist", release_id)
            return 0
        return finishing.finish(release)


@shared_task(base=PortalTask)
def warm_caches(release_id: int) -> int:
    """Fill the release's caches (popular API queries, every country's confirmed and deaths series, the
    countries index, every series' payload) so that the first readers after it are answered from them;
    returns how many of the replayed API answers are ready (stored, or answered from a series' payload).
    Nothing to do when a newer release exists (its own task warms)."""
    from . import warming  # imports the API's views: loaded by the worker only when it warms

    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        logger.warning("warm_caches: release %s does not exist", release_id)
        return 0
    snapshots.compact(release)  # the summaries read every value: whole arrays, mapped from disk
    warmed = warming.warm_caches(release)
    return warmed.stored + warmed.from_series
