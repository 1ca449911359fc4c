"""Celery tasks for contributions: thin wrappers around contributions.pipeline."""

from celery import shared_task

from common.tasks import PortalTask

from . import pipeline


class ValidationTask(PortalTask):
    # A storage hiccup (an OSError reading the upload or writing the Parquet) is worth another try too.
    autoretry_for = (*PortalTask.autoretry_for, OSError)

    def on_final_failure(self, exc, submission_id, *args, **kwargs):
        """Retries ran out: the volunteer sees a report saying so instead of a page stuck on "validating"."""
        pipeline.fail(submission_id, exc)


@shared_task(base=ValidationTask)
def validate_submission(submission_id: int) -> str | None:
    """Validate one upload; a second run finds the submission no longer validating and does nothing."""
    return pipeline.run_validation(submission_id)
