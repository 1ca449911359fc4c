"""Celery tasks for contributions: thin wrappers around contributions.pipeline."""

from celery import current_task, shared_task
from django.conf import settings

from common.memory import memory_limit
from common.storage import STORE_ERRORS
from common.tasks import PortalTask, dispatch
from sources import feeds

from . import feed_runs, pipeline


class ValidationTask(PortalTask):
    # A storage hiccup (reading the upload, writing the Parquet: an OSError, an S3 error) is worth another try too.
    autoretry_for = (*PortalTask.autoretry_for, *STORE_ERRORS)

    def on_final_failure(self, exc, submission_id, *args, **kwargs):
        """Retries ran out: the volunteer sees a report saying so instead of a page stuck on "validating"."""
        pipeline.fail(submission_id, exc)


@shared_task(base=ValidationTask)
def validate_submission(submission_id: int) -> str | None:
    """Validate one upload; a second run finds the submission no longer validating and does nothing.

    In a worker child the work runs under VALIDATION_MEMORY_MB: past it, an allocation raises
    MemoryError, which the pipeline reports as "too_large". Run inline (no broker), the process is
    the web server's or the tests', and is left alone."""
    eager = current_task is None or bool(getattr(current_task.request, "is_eager", True))
    with memory_limit(0 if eager else settings.VALIDATION_MEMORY_MB):
        return pipeline.run_validation(submission_id)


@shared_task(base=PortalTask)
def fetch_feed(feed_id: int) -> list[int]:
    """Run one feed; safe twice (content already filed is recognised by its SHA-256)."""
    return feed_runs.run_feed(feed_id=feed_id).created


@shared_task(base=PortalTask)
def run_due_feeds() -> int:
    """Beat task: one fetch_feed per due feed, so a slow host delays no other."""
    due = feeds.due_feeds()
    for pk in due:
        dispatch(fetch_feed, pk)
    return len(due)
