"""Celery tasks of the canonical dataset: thin wrappers that load by id and call the module doing the work."""
import logging

from celery import shared_task
from django.db import connection

from . import exports, merge, snapshots
from .models import Release

logger = logging.getLogger(__name__)

MERGE_MAX_RETRIES = 6


@shared_task(bind=True, acks_late=True, max_retries=MERGE_MAX_RETRIES)
def merge_submission(self, submission_id: int) -> int | None:
    """Merge one approved submission; a second delivery finds nothing to do.

    Database and broker hiccups are retried with exponential backoff; when retries run out the
    submission is marked merge_failed so staff see it. A submission that cannot be merged as it is
    (merge.MergeFailed) is already marked and is not retried.
    """
    try:
        release = merge.run(submission_id=submission_id)
    except merge.TRANSIENT_ERRORS as exc:
        connection.close()  # it may be dead without Django knowing (driver-level errors): reconnect on retry
        if self.request.retries >= self.max_retries:
            merge.mark_failed(submission_id=submission_id, error=exc)
            return None
        raise self.retry(exc=exc, countdown=min(2 ** self.request.retries, 60))
    except merge.MergeFailed:
        return None
    return release.pk if release else None


@shared_task
def sweep_stuck_merges() -> list[int]:
    """Periodic: re-dispatch approvals that have waited too long for their merge."""
    return merge.sweep()


@shared_task(bind=True, acks_late=True, max_retries=3)
def build_exports(self, release_id: int) -> int:
    """Write the release's export files (tidy, JHU, Parquet, Data Package) and the snapshot of its values
    that diffs read; a second run finds them built."""
    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        logger.warning("build_exports: release %s does not exist", release_id)
        return 0
    files = exports.build_release_exports(release=release)
    snapshots.current()
    return len(files)
