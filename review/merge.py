"""Merging an approved submission into the canonical dataset: once, whole or not at all.

`run(submission_id=...)` is what `review.tasks.merge_submission` calls. Everything happens in one
transaction under the lock that serialises writers of the dataset (a PostgreSQL advisory
transaction lock; SQLite has a single writer): the approved → merging compare-and-set, the
set-based upsert (dataset.upsert), the release, the merged mark and its audit row (what was added,
changed, and kept for higher-priority sources, named: review.outcome). A crash anywhere rolls all
of it back, so the submission is simply "approved" again and the next delivery (or the sweeper)
merges it. A run that finds the submission no longer approved does nothing: that is what makes
duplicate deliveries, concurrent approvals and redelivery after a killed worker safe.
"""

import logging
from datetime import timedelta
from functools import partial

import pandas as pd
import pyarrow.parquet as pq
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from common.locking import DATASET_WRITERS, hold_until_commit
from common.storage import local_copy
from common.tasks import TRANSIENT_ERRORS, dispatch, dispatch_on_commit
from contributions.models import Submission
from dataset import snapshots
from dataset.models import Release
from dataset.tasks import build_exports, warm_caches
from dataset.upsert import UpsertError, UpsertResult, summary, upsert_observations

from . import notifications
from .models import ReviewAction
from .outcome import merge_note

logger = logging.getLogger(__name__)

NORMALISED_COLUMNS = ["location_id", "metric_id", "date", "value"]


class MergeFailed(Exception):
    """The submission cannot be merged as it is; it has been marked merge_failed with the reason."""


def run(*, submission_id: int) -> Release | None:
    """Merge one approved submission and return its release; None when there is nothing to do.

    Transient database errors propagate unchanged (the task retries them); any other error leaves
    the dataset untouched, marks the submission merge_failed with the message and raises MergeFailed.
    """
    try:
        with transaction.atomic():
            _lock()
            claimed = Submission.objects.filter(
                pk=submission_id, status=Submission.Status.APPROVED, kind=Submission.Kind.DATA
            ).update(status=Submission.Status.MERGING)
            if claimed != 1:
                return None
            submission = Submission.objects.select_related("source", "submitter").get(pk=submission_id)
            release, result = _merge(submission)
            # The diff's snapshot of the new release's values, written before they become visible.
            snapshots.advance(release, written=result.written)
            Submission.objects.filter(pk=submission_id).update(
                status=Submission.Status.MERGED, merged_release=release, merge_error="", updated_at=timezone.now()
            )
            ReviewAction.objects.create(
                submission=submission, actor=None, action=ReviewAction.Action.MERGE, comment=merge_note(release, result)
            )
            transaction.on_commit(partial(_after_merge, submission_id, release.pk))
        return release
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # the submission's own fault: record it for staff, never retry
        logger.warning("Merge of submission %s failed: %s", submission_id, exc)
        mark_failed(submission_id=submission_id, error=exc)
        raise MergeFailed(describe(exc)) from exc


def _lock() -> None:
    """Serialise merges and imports: the same lock dataset.upsert takes (it is re-entrant)."""
    hold_until_commit(DATASET_WRITERS)


def _merge(submission: Submission) -> tuple[Release, UpsertResult]:
    frame = read_normalised(submission)
    description = f"Submission #{submission.pk}: {submission.source.name}"
    if submission.original_filename:
        description += f" ({submission.original_filename})"
    result = upsert_observations(
        frame,
        source=submission.source,
        submission=submission,
        description=description,
        allow_override=submission.override_priority,
        schedule_exports=False,
    )
    release = result.release
    if release is None:
        # Every merge is a release, even one that only confirms values we already had.
        release = Release.objects.create(
            number=Release.next_number(),
            description=description[:300],
            values_unchanged=result.unchanged,
            values_skipped=result.skipped,
            changelog=summary(description, result),
        )
        release.submissions.add(submission)
    return release, result


def read_normalised(submission: Submission) -> pd.DataFrame:
    """The normalised frame validation stored, reduced to what the upsert needs."""
    path = submission.normalised_path
    if not path:
        raise UpsertError("this submission has no normalised data (was it validated?)")
    if not default_storage.exists(path):
        raise UpsertError(f"the normalised data file {path} is missing from storage")
    with local_copy(path) as local:  # pyarrow reads a local file (a temporary copy from a remote store)
        present = pq.read_schema(local).names
        missing = [column for column in NORMALISED_COLUMNS if column not in present]
        if missing:
            raise UpsertError(f"the normalised data lacks the columns {', '.join(missing)}")
        frame = pd.read_parquet(local, columns=NORMALISED_COLUMNS)
    return frame[NORMALISED_COLUMNS]


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def mark_failed(*, submission_id: int, error: BaseException | str) -> bool:
    """Record why a merge failed, for staff to read and retry; only an approved submission can fail."""
    message = error if isinstance(error, str) else describe(error)
    try:
        return bool(
            Submission.objects.filter(pk=submission_id, status=Submission.Status.APPROVED).update(
                status=Submission.Status.MERGE_FAILED, merge_error=message, updated_at=timezone.now()
            )
        )
    except DatabaseError:
        logger.exception("Could not mark submission %s as merge_failed", submission_id)
        return False


def _after_merge(submission_id: int, release_id: int) -> None:
    """Once the merge is committed: warm the release's caches, rebuild the exports and tell the submitter."""
    dispatch(warm_caches, release_id)  # the release's readers find its popular answers cached
    dispatch(build_exports, release_id)
    notifications.queue(submission_id, "merged")


def stuck_submissions() -> QuerySet[Submission]:
    """Approved data whose merge should have happened by now (lost message, broker outage, crash)."""
    cutoff = timezone.now() - timedelta(minutes=settings.MERGE_SWEEP_AFTER_MINUTES)
    return Submission.objects.filter(
        kind=Submission.Kind.DATA, status=Submission.Status.APPROVED, merged_release__isnull=True
    ).filter(approved_at__lte=cutoff)


def sweep() -> list[int]:
    """Queue a merge for every stuck approval; return their ids. Safe: a merge runs only once."""
    from .tasks import merge_submission  # tasks call this module: imported when needed

    ids = list(stuck_submissions().order_by("approved_at").values_list("pk", flat=True))
    for submission_id in ids:
        if not dispatch(merge_submission, submission_id):
            break
    if ids:
        logger.info("Sweeper re-dispatched merges for submissions %s", ids)
    return ids


@transaction.atomic
def retry(*, submission: Submission, actor: User) -> bool:
    """Staff put a failed merge back in line: merge_failed → approved, logged, merge queued after commit."""
    from .tasks import merge_submission  # tasks call this module: imported when needed

    updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.MERGE_FAILED).update(
        status=Submission.Status.APPROVED, approved_at=timezone.now(), updated_at=timezone.now()
    )
    if updated != 1:
        return False
    ReviewAction.objects.create(
        submission=submission,
        actor=actor,
        action=ReviewAction.Action.RETRY_MERGE,
        comment=f"Previous error: {submission.merge_error}"[:2000],
    )
    dispatch_on_commit(merge_submission, submission.pk)
    return True
