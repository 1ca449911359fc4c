"""Celery tasks of moderation and merging: thin wrappers around review.services, .merge and .notifications."""

from typing import Any

from celery import shared_task

from common.tasks import PortalTask

from . import merge, notifications, revert, services


class MergeTask(PortalTask):
    def on_final_failure(self, exc: BaseException, submission_id: int, *args: Any, **kwargs: Any) -> None:
        """Retries ran out (the database or broker stayed away): staff see the merge as failed."""
        merge.mark_failed(submission_id=submission_id, error=exc)


@shared_task(base=MergeTask)
def merge_submission(submission_id: int) -> int | None:
    """Merge one approved submission; a second delivery finds nothing to do.

    A submission that cannot be merged as it is (merge.MergeFailed) is already marked and is not retried.
    """
    try:
        release = merge.run(submission_id=submission_id)
    except merge.MergeFailed:
        return None
    return release.pk if release else None


@shared_task(base=PortalTask)
def sweep_stuck_merges() -> list[int]:
    """Periodic: re-dispatch approvals that have waited too long for their merge."""
    return merge.sweep()


@shared_task(base=PortalTask)
def send_submission_email(submission_id: int, event: str) -> bool:
    """Tell the submitter about a decision or a merge (mail queue)."""
    return notifications.send_submission_email(submission_id=submission_id, event=event)


@shared_task(base=PortalTask)
def send_reviewer_digests() -> int:
    """Daily: the digest of new submissions for reviewers who opted in."""
    return notifications.send_digests()


@shared_task(base=PortalTask)
def expire_claims() -> int:
    """Periodic: claims past their time go back to the queue."""
    return services.expire_claims()


@shared_task(base=PortalTask)
def revert_submission(revert_id: int) -> int | None:
    """Write one confirmed revert; a second delivery finds nothing to do. A revert that cannot be
    written (revert.RevertFailed) is already marked failed and is not retried."""
    try:
        release = revert.run(revert_id=revert_id)
    except revert.RevertFailed:
        return None
    return release.pk if release else None
