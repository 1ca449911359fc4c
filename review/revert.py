"""Reverting a merged submission: four eyes, then a release that puts back what its merge replaced.

One reviewer proposes (`propose`), another confirms (`confirm`, never the proposer), and the task
`review.tasks.revert_submission` calls `run`. Like a merge, `run` writes the dataset under the
dataset writers' lock in one transaction: for every value the submission's merge wrote, it restores
the value that merge replaced (history row: the submission's value → the value before), or removes
the value when the merge added it (history row with no new value). A value that a later release
changed since is left alone unless the confirmer chose to revert those too; the proposal lists them
(`changed_later`). The revert is a release like any other: the value snapshot advances, the exports
and caches are rebuilt after commit, and the audit log records proposal, confirmation and result.
A revert runs once: a second run, or a second revert of the same submission, does nothing.
"""

import logging
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.locking import DATASET_WRITERS, hold_until_commit
from common.tasks import TRANSIENT_ERRORS, dispatch, dispatch_on_commit
from contributions.models import Submission
from dataset import snapshots
from dataset.models import Observation, ObservationHistory, Release
from dataset.tasks import build_exports, warm_caches
from places.models import Location, Metric

from .models import Revert, ReviewAction
from .permissions import why_not_review

logger = logging.getLogger(__name__)

KEYS, PLAN = "_revert_keys", "_revert_plan"
# What the plan does with a value the merge wrote: nothing (already gone or already as before),
# restore the value it replaced, or remove the value it added.
NOTHING, RESTORE, REMOVE = 0, 1, 2
LISTED = 200  # values changed later named in a proposal (all are counted)


class RevertRefused(Exception):
    """The user may not propose, confirm or cancel this revert; the message says why."""


class RevertFailed(Exception):
    """The revert could not be written; the revert is marked failed with the reason."""


@dataclass
class Counts:
    restored: int
    removed: int
    skipped: int  # changed later and left as they are
    changed_later: int


def why_not_revert(user: Any, submission: Submission) -> str | None:
    """Why `user` may not propose or confirm reverting `submission`; None when they may.

    The rules of a review decision apply (reviewer or staff, a second factor, a scope covering all of
    the submission's countries, never one's own submission); only a merged submission can be reverted.
    """
    if submission.status != Submission.Status.MERGED or submission.merged_release_id is None:
        return _("Only a merged submission can be reverted.")
    return why_not_review(user, submission)


def open_or_done(submission: Submission) -> Revert | None:
    """The submission's revert that is proposed, running or done (there is at most one)."""
    return submission.reverts.filter(
        status__in=[Revert.Status.PROPOSED, Revert.Status.CONFIRMED, Revert.Status.DONE]
    ).first()


@transaction.atomic
def propose(*, submission: Submission, actor: Any, reason: str) -> Revert:
    """Propose reverting `submission`, listing the values later releases changed since its merge."""
    refusal = why_not_revert(actor, submission)
    if refusal:
        raise RevertRefused(refusal)
    if not reason.strip():
        raise RevertRefused(_("Say why the submission should be reverted."))
    Submission.objects.select_for_update().filter(pk=submission.pk).first()  # serialise proposals
    existing = open_or_done(submission)
    if existing is not None:
        raise RevertRefused(
            _("This submission already has a revert (%(status)s).") % {"status": existing.get_status_display().lower()}
        )
    listed, count = changed_later(submission)
    revert = Revert.objects.create(
        submission=submission, proposed_by=actor, reason=reason.strip(), changed_later=listed, changed_later_count=count
    )
    number = submission.merged_release.number if submission.merged_release else "?"
    comment = f"Proposed reverting release {number}: {revert.reason}"
    if count:
        comment += f" ({count} values changed later by other releases)"
    ReviewAction.objects.create(
        submission=submission, actor=actor, action=ReviewAction.Action.PROPOSE_REVERT, comment=comment[:2000]
    )
    return revert


@transaction.atomic
def confirm(*, revert: Revert, actor: Any, include_changed_later: bool = False) -> Revert:
    """The second pair of eyes: confirm a proposed revert and queue it (after commit)."""
    from .tasks import revert_submission  # tasks call this module: imported when needed

    if actor.pk == revert.proposed_by_id:
        raise RevertRefused(_("You proposed this revert: another reviewer must confirm it."))
    refusal = why_not_revert(actor, revert.submission)
    if refusal:
        raise RevertRefused(refusal)
    updated = Revert.objects.filter(pk=revert.pk, status=Revert.Status.PROPOSED).update(
        status=Revert.Status.CONFIRMED,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
        include_changed_later=include_changed_later,
    )
    if updated != 1:
        raise RevertRefused(_("This revert is no longer waiting for confirmation."))
    choice = "reverting values changed later too" if include_changed_later else "skipping values changed later"
    ReviewAction.objects.create(
        submission=revert.submission,
        actor=actor,
        action=ReviewAction.Action.CONFIRM_REVERT,
        comment=f"Confirmed the revert proposed by {revert.proposed_by} ({choice}).",
    )
    dispatch_on_commit(revert_submission, revert.pk)
    revert.refresh_from_db()
    return revert


@transaction.atomic
def cancel(*, revert: Revert, actor: Any) -> bool:
    """Withdraw a proposal (its proposer, or any reviewer who could confirm it)."""
    if actor.pk != revert.proposed_by_id and why_not_revert(actor, revert.submission):
        raise RevertRefused(_("You may not cancel this revert."))
    updated = Revert.objects.filter(pk=revert.pk, status=Revert.Status.PROPOSED).update(status=Revert.Status.CANCELLED)
    if updated:
        ReviewAction.objects.create(
            submission=revert.submission, actor=actor, action=ReviewAction.Action.CANCEL_REVERT, comment=""
        )
    return bool(updated)


def changed_later(submission: Submission) -> tuple[list[dict[str, Any]], int]:
    """Values the submission's merge wrote that a later release changed since: the first LISTED of
    them (place, metric, date, value before the merge, current value, release that changed it) and
    how many there are."""
    release_id = submission.merged_release_id
    if release_id is None:
        return [], 0
    with transaction.atomic(), connection.cursor() as cursor:
        _make_plan(cursor, release_id)
        cursor.execute(f"SELECT COUNT(*) FROM {PLAN} WHERE later = 1")  # noqa: S608
        count = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT location_id, metric_id, date, prev_value, cur_value, cur_release_id "  # noqa: S608
            f"FROM {PLAN} WHERE later = 1 ORDER BY location_id, metric_id, date LIMIT {LISTED}"
        )
        rows = cursor.fetchall()
        _drop_plan(cursor)
    locations = dict(Location.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "key"))
    metrics = dict(Metric.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "code"))
    numbers = dict(Release.objects.filter(pk__in={r[5] for r in rows if r[5]}).values_list("pk", "number"))
    listed = [
        {
            "location": locations.get(location_id, str(location_id)),
            "metric": metrics.get(metric_id, str(metric_id)),
            "date": date.fromisoformat(str(day)[:10]).isoformat(),
            "before": before,
            "current": current,
            "changed_in_release": numbers.get(release) if release else None,
        }
        for location_id, metric_id, day, before, current, release in rows
    ]
    return listed, count


def run(*, revert_id: int) -> Release | None:
    """Write a confirmed revert and return its release (None: nothing to do, or nothing changed).

    Transient database errors propagate (the task retries); any other error leaves the dataset as it
    was, marks the revert failed with the reason and raises RevertFailed.
    """
    try:
        with transaction.atomic():
            hold_until_commit(DATASET_WRITERS)
            revert = Revert.objects.select_for_update().filter(pk=revert_id, status=Revert.Status.CONFIRMED).first()
            if revert is None:
                return None
            submission = Submission.objects.select_related("source", "merged_release").get(pk=revert.submission_id)
            release, counts = _write(revert, submission)
            Revert.objects.filter(pk=revert.pk).update(
                status=Revert.Status.DONE,
                release=release,
                values_restored=counts.restored,
                values_removed=counts.removed,
                values_skipped=counts.skipped,
                done_at=timezone.now(),
            )
            ReviewAction.objects.create(
                submission=submission, actor=None, action=ReviewAction.Action.REVERT, comment=_note(release, counts)
            )
            if release is not None:
                snapshots.advance(release)
                transaction.on_commit(partial(_after_revert, release.pk))
        return release
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.warning("Revert %s failed: %s", revert_id, exc)
        Revert.objects.filter(pk=revert_id, status=Revert.Status.CONFIRMED).update(
            status=Revert.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise RevertFailed(str(exc)) from exc


def _after_revert(release_id: int) -> None:
    dispatch(warm_caches, release_id)
    dispatch(build_exports, release_id)


def _note(release: Release | None, counts: Counts) -> str:
    text = f"{counts.restored} values restored, {counts.removed} removed"
    if counts.changed_later:
        text += f", {counts.skipped} changed later left as they are"
    return (f"Release {release.number}: " if release else "Nothing to change: ") + text + "."


# The SQL below interpolates only this module's table names and fixed fragments; values go as parameters.
def _make_plan(cursor, release_id: int) -> None:
    """Every value `release_id` wrote, with its current state and the value it replaced (if any)."""
    obs, hist = Observation._meta.db_table, ObservationHistory._meta.db_table
    submissions = Submission._meta.db_table
    _drop_plan(cursor)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {KEYS} AS "  # noqa: S608
        f"SELECT location_id, metric_id, date FROM {obs} WHERE release_id = %s "
        f"UNION SELECT location_id, metric_id, date FROM {hist} WHERE release_id = %s OR old_release_id = %s",
        [release_id, release_id, release_id],
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE {PLAN} AS "  # noqa: S608
        "SELECT k.location_id, k.metric_id, k.date, o.id AS observation_id, o.value AS cur_value, "
        "o.source_id AS cur_source_id, o.release_id AS cur_release_id, h.old_value AS prev_value, "
        "h.old_source_id AS prev_source_id, h.old_release_id AS prev_release_id, "
        f"(SELECT MIN(s.id) FROM {submissions} s WHERE s.merged_release_id = h.old_release_id) AS prev_submission_id, "
        "CASE WHEN o.id IS NULL OR o.release_id <> %s THEN 1 ELSE 0 END AS later, "
        f"CASE WHEN o.id IS NULL THEN {NOTHING} WHEN h.id IS NULL THEN {REMOVE} "
        f"WHEN o.value = h.old_value AND o.source_id = h.old_source_id THEN {NOTHING} ELSE {RESTORE} END AS action "
        f"FROM {KEYS} k "
        f"LEFT JOIN {obs} o ON o.location_id = k.location_id AND o.metric_id = k.metric_id AND o.date = k.date "
        f"LEFT JOIN {hist} h ON h.release_id = %s AND h.location_id = k.location_id "
        "AND h.metric_id = k.metric_id AND h.date = k.date",
        [release_id, release_id],
    )


def _drop_plan(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {PLAN}")
    cursor.execute(f"DROP TABLE IF EXISTS {KEYS}")


def _chosen(prefix: str, include_changed_later: bool) -> str:
    """SQL: the plan's values this revert writes (`prefix`: the plan's alias)."""
    later = "" if include_changed_later else f" AND {prefix}later = 0"
    return f"{prefix}action <> {NOTHING}{later}"


def _write(revert: Revert, submission: Submission) -> tuple[Release | None, Counts]:
    obs, hist = Observation._meta.db_table, ObservationHistory._meta.db_table
    merged = submission.merged_release
    if merged is None:
        raise RevertFailed("the submission has no merge release")
    with connection.cursor() as cursor:
        _make_plan(cursor, merged.pk)
        chosen = _chosen("", revert.include_changed_later)
        cursor.execute(f"SELECT action, later, COUNT(*) FROM {PLAN} GROUP BY action, later")  # noqa: S608
        by_kind = {(int(action), int(later)): int(n) for action, later, n in cursor.fetchall()}
        later_count = sum(n for (_, later), n in by_kind.items() if later)
        include = revert.include_changed_later
        restored = by_kind.get((RESTORE, 0), 0) + (by_kind.get((RESTORE, 1), 0) if include else 0)
        removed = by_kind.get((REMOVE, 0), 0) + (by_kind.get((REMOVE, 1), 0) if include else 0)
        skipped = 0 if include else sum(n for (action, later), n in by_kind.items() if later and action != NOTHING)
        counts = Counts(restored=restored, removed=removed, skipped=skipped, changed_later=later_count)
        if not (restored or removed):
            _drop_plan(cursor)
            return None, counts
        description = f"Revert of submission #{submission.pk} (release {merged.number}): {submission.source.name}"
        release = Release.objects.create(
            number=Release.next_number(),
            description=description[:300],
            values_changed=restored,
            values_skipped=skipped,
            changelog=(
                f"{description}: {restored} values restored to what they were before release {merged.number}, "
                f"{removed} values it added removed"
                + (f", {skipped} values changed by later releases left as they are." if skipped else ".")
                + f" Proposed by {revert.proposed_by}, confirmed by {revert.confirmed_by}: {revert.reason}"
            ),
        )
        now = timezone.now()
        cursor.execute(
            f"INSERT INTO {hist} (location_id, metric_id, date, old_value, new_value, old_source_id, "  # noqa: S608
            "new_source_id, old_release_id, release_id, submission_id, changed_at) "
            "SELECT location_id, metric_id, date, cur_value, "
            f"CASE WHEN action = {REMOVE} THEN NULL ELSE prev_value END, cur_source_id, "
            f"CASE WHEN action = {REMOVE} THEN cur_source_id ELSE prev_source_id END, "
            f"cur_release_id, %s, NULL, %s FROM {PLAN} WHERE {chosen}",
            [release.pk, now],
        )
        cursor.execute(
            f"UPDATE {obs} SET value = p.prev_value, source_id = p.prev_source_id, "  # noqa: S608
            f"submission_id = p.prev_submission_id, release_id = %s FROM {PLAN} p "
            f"WHERE {_chosen('p.', revert.include_changed_later)} AND p.action = {RESTORE} "
            f"AND {obs}.id = p.observation_id",
            [release.pk],
        )
        cursor.execute(
            f"DELETE FROM {obs} WHERE id IN (SELECT observation_id FROM {PLAN} WHERE {chosen} AND action = {REMOVE})"  # noqa: S608
        )
        _drop_plan(cursor)
    return release, counts
