"""Celery tasks of moderation and merging: thin wrappers around review.services, .merge and .notifications."""
from celery import shared_task
from django.db import connection

from . import merge, notifications, services

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
