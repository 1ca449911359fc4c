"""Celery tasks for contributions: thin wrappers around contributions.pipeline."""
from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import pipeline


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError, OSError), retry_backoff=True,
             max_retries=5)
def validate_submission(submission_id: int) -> str | None:
    """Validate one upload; a second run finds the submission no longer validating and does nothing."""
    return pipeline.run_validation(submission_id)
