"""Celery tasks of moderation: thin wrappers around review.services and review.notifications."""
from celery import shared_task

from . import notifications, services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_submission_email(submission_id: int, event: str) -> bool:
    """Tell the submitter about a decision or a merge (mail queue)."""
    return notifications.send_submission_email(submission_id=submission_id, event=event)


@shared_task
def send_reviewer_digests() -> int:
    """Daily: the digest of new submissions for reviewers who opted in."""
    return notifications.send_digests()


@shared_task
def expire_claims() -> int:
    """Periodic: claims past their time go back to the queue."""
    return services.expire_claims()
