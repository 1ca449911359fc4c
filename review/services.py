"""Moderation decisions: claim, release, comment, approve, reject, request changes (reads: review.selectors).

Pages and API make decisions only here, so they obey the same rules (review.permissions): reviewers
act only on submissions in their scope (staff: all), never on their own (four eyes), only while the submission
waits for review, and not while another reviewer holds it. Every action is a ReviewAction row.
State changes are compare-and-set updates, so two reviewers deciding at the same moment end with
one decision and a clear message for the other.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from accounts.permissions import can_retry_merge
from common.tasks import dispatch_on_commit
from contributions import recipes
from contributions.models import Submission
from sources import services as registry
from sources.models import Source

from . import merge, notifications
from .models import ReviewAction, ReviewerPreference
from .permissions import why_not_review
from .selectors import higher_priority_values, holder, proposal_of

Status = Submission.Status
Action = ReviewAction.Action
PriorityDecision = ReviewAction.PriorityDecision

# The actions refusals name ("Cannot approve: ..."), in the reader's language.
VERBS = {
    "claim": pgettext_lazy("cannot do this to a submission", "claim"),
    "approve": pgettext_lazy("cannot do this to a submission", "approve"),
    "reject": pgettext_lazy("cannot do this to a submission", "reject"),
    "request changes": pgettext_lazy("cannot do this to a submission", "request changes"),
}


class ReviewError(Exception):
    """A decision that cannot be made; the message says why, in words for the reviewer."""


class NotAllowed(ReviewError):
    """Outside the reviewer's scope, their own submission, or not a reviewer at all."""


class Conflict(ReviewError):
    """The submission is not (or no longer) in a state that allows this, or someone else holds it."""


class VersionChanged(Conflict):
    """The submitter sent a new file or mapping since the reviewer opened the page."""


class SourceNotApproved(Conflict):
    """Data of a source that is only proposed: the source must be approved first."""


class OverrideRequired(ReviewError):
    """The upload would replace values of a higher-priority source: the reviewer must choose to override
    them or to keep them."""


# --- rules -------------------------------------------------------------------------------------


def check_can_review(*, submission: Submission, reviewer: Any) -> None:
    """Raise NotAllowed, with the reason, unless `review.permissions.can_review(reviewer, submission)`."""
    reason = why_not_review(reviewer, submission)
    if reason is not None:
        raise NotAllowed(reason)


def _free_for(reviewer: Any) -> Q:
    """Not held by anyone else (staff may act on held submissions)."""
    if reviewer.is_staff:
        return Q()
    return Q(claimed_by__isnull=True) | Q(claimed_until__lte=timezone.now()) | Q(claimed_by=reviewer)


def _conflict(submission: Submission, verb: str) -> Conflict:
    current = Submission.objects.select_related("claimed_by").get(pk=submission.pk)
    action = VERBS[verb]
    if current.status not in Submission.REVIEWABLE:
        return Conflict(
            _("Cannot %(action)s: this submission is already %(status)s.")
            % {"action": action, "status": current.get_status_display().lower()}
        )
    who = holder(current)
    if who is not None:
        until = timezone.localtime(current.claimed_until).strftime("%H:%M UTC")
        return Conflict(
            _("Cannot %(action)s: %(who)s is reviewing this submission until %(until)s.")
            % {"action": action, "who": who, "until": until}
        )
    return Conflict(_("Cannot %(action)s this submission now.") % {"action": action})


def _log(
    submission: Submission, reviewer: Any, action: str, comment: str = "", override: bool = False, decision: str = ""
) -> ReviewAction:
    return ReviewAction.objects.create(
        submission=submission,
        actor=reviewer,
        action=action,
        comment=comment,
        override_priority=override,
        priority_decision=decision,
    )


# --- actions -----------------------------------------------------------------------------------


@transaction.atomic
def claim(*, submission: Submission, reviewer: Any, minutes: int | None = None) -> ReviewAction:
    """Hold the submission for a while so no one else decides on it meanwhile."""
    check_can_review(submission=submission, reviewer=reviewer)
    minutes = minutes or settings.REVIEW_CLAIM_MINUTES
    until = timezone.now() + timedelta(minutes=minutes)
    free = Q(claimed_by__isnull=True) | Q(claimed_until__lte=timezone.now()) | Q(claimed_by=reviewer)
    updated = Submission.objects.filter(free, pk=submission.pk, status__in=Submission.REVIEWABLE).update(
        claimed_by=reviewer, claimed_until=until, status=Status.IN_REVIEW, updated_at=timezone.now()
    )
    if updated != 1:
        raise _conflict(submission, "claim")
    submission.refresh_from_db()
    return _log(submission, reviewer, Action.CLAIM, f"Held until {until:%Y-%m-%d %H:%M} UTC")


@transaction.atomic
def release(*, submission: Submission, reviewer: Any) -> ReviewAction:
    """Give the submission back to the queue (your own claim; staff may release anyone's)."""
    check_can_review(submission=submission, reviewer=reviewer)
    held = Submission.objects.filter(pk=submission.pk, status=Status.IN_REVIEW)
    if not reviewer.is_staff:
        held = held.filter(claimed_by=reviewer)
    if held.update(claimed_by=None, claimed_until=None, status=Status.AWAITING_REVIEW, updated_at=timezone.now()) != 1:
        raise Conflict(_("You do not hold this submission."))
    submission.refresh_from_db()
    return _log(submission, reviewer, Action.RELEASE)


@transaction.atomic
def expire_claims() -> int:
    """Claims past their time go back to the queue; each expiry is logged."""
    now = timezone.now()
    expired = list(
        Submission.objects.filter(status=Status.IN_REVIEW, claimed_until__lte=now).values_list("pk", "claimed_by")
    )
    count = 0
    for pk, holder_id in expired:
        if Submission.objects.filter(pk=pk, status=Status.IN_REVIEW, claimed_until__lte=now).update(
            claimed_by=None, claimed_until=None, status=Status.AWAITING_REVIEW, updated_at=now
        ):
            ReviewAction.objects.create(submission_id=pk, actor_id=holder_id, action=Action.EXPIRE)
            count += 1
    return count


@transaction.atomic
def comment(*, submission: Submission, reviewer: Any, comment: str) -> ReviewAction:
    """A note on the submission's review page and in the audit log; it changes nothing else."""
    check_can_review(submission=submission, reviewer=reviewer)
    text = (comment or "").strip()
    if not text:
        raise ReviewError(_("Write a comment first."))
    return _log(submission, reviewer, Action.COMMENT, text)


def _check_version(submission: Submission, version: int | None, verb: str) -> int:
    """The version the decision is about: the one the reviewer saw (else the one loaded); VersionChanged
    when the submitter has sent another since."""
    seen = submission.version if version is None else int(version)
    current = Submission.objects.filter(pk=submission.pk).values_list("version", flat=True).first()
    if current is not None and current != seen:
        raise VersionChanged(
            _(
                "Cannot %(action)s: the submitter sent a new version (version %(current)s) after you opened "
                "version %(seen)s. Look at the new version before deciding."
            )
            % {"action": VERBS[verb], "current": current, "seen": seen}
        )
    return seen


def _decide(
    *,
    submission: Submission,
    reviewer: Any,
    status: str,
    verb: str,
    version: int | None = None,
    extra: dict | None = None,
) -> None:
    check_can_review(submission=submission, reviewer=reviewer)
    seen = _check_version(submission, version, verb)
    fields = dict(status=status, claimed_by=None, claimed_until=None, updated_at=timezone.now(), **(extra or {}))
    updated = Submission.objects.filter(
        _free_for(reviewer), pk=submission.pk, version=seen, status__in=Submission.REVIEWABLE
    ).update(**fields)
    if updated != 1:
        _check_version(submission, seen, verb)  # changed meanwhile
        raise _conflict(submission, verb)
    submission.refresh_from_db()


def source_first(submission: Submission) -> None:
    """Data of a source that is not approved cannot be approved: SourceNotApproved says what to do."""
    if submission.kind != Submission.Kind.DATA:
        return
    source = Source.objects.get(pk=submission.source_id)
    if source.status != Source.Status.APPROVED:
        proposal = proposal_of(source)
        status = source.get_status_display().lower()
        if proposal:
            message = _(
                "Cannot approve: the source %(source)s is %(status)s (proposal #%(proposal)s). "
                "Data of a source that is not approved cannot be approved: decide on the source first."
            ) % {"source": source.name, "status": status, "proposal": proposal.pk}
        else:
            message = _(
                "Cannot approve: the source %(source)s is %(status)s. "
                "Data of a source that is not approved cannot be approved: decide on the source first."
            ) % {"source": source.name, "status": status}
        raise SourceNotApproved(message)


def priority_decision(submission: Submission, *, override: bool, keep: bool) -> str:
    """What approving data does with values of higher-priority sources: "override" (this upload replaces
    them), "keep" (the merge takes every other value and leaves those, naming them), or "" when the diff
    the reviewer saw holds none. Values it holds need one of the two choices (OverrideRequired)."""
    if override and keep:
        raise ReviewError(_("Choose one: override the values of higher-priority sources, or keep them; not both."))
    if override or keep:
        return PriorityDecision.OVERRIDE if override else PriorityDecision.KEEP
    protected = higher_priority_values(submission)
    if protected:
        raise OverrideRequired(
            ngettext(
                "%(count)s value differs from that of a higher-priority source. Choose: approve with the "
                "override (this upload wins), approve keeping the higher-priority values (every other value is "
                "merged), or request changes.",
                "%(count)s values differ from those of a higher-priority source. Choose: approve with the "
                "override (this upload wins), approve keeping the higher-priority values (every other value is "
                "merged), or request changes.",
                protected,
            )
            % {"count": f"{protected:,}"}
        )
    return ""


@transaction.atomic
def approve(
    *,
    submission: Submission,
    reviewer: Any,
    comment: str = "",
    override: bool = False,
    keep_higher_priority: bool = False,
    version: int | None = None,
    priority: int | None = None,
) -> ReviewAction:
    """Approve the version the reviewer saw (`version`; default: the one loaded). A source proposal makes
    the source approved, with the priority the reviewer sets (default: its type's); data, only of an
    approved source, is merged after this commits, overriding or keeping the values of higher-priority
    sources as the reviewer chose (priority_decision; recorded on the action)."""
    check_can_review(submission=submission, reviewer=reviewer)
    source_first(submission)
    override = bool(override)
    decision = ""
    if submission.kind == Submission.Kind.DATA:
        decision = priority_decision(submission, override=override, keep=bool(keep_higher_priority))
    _decide(
        submission=submission,
        reviewer=reviewer,
        status=Status.APPROVED,
        verb="approve",
        version=version,
        extra={"approved_at": timezone.now(), "override_priority": override},
    )
    action = _log(submission, reviewer, Action.APPROVE, (comment or "").strip(), override, decision)
    notifications.queue_on_commit(submission.pk, "approved")
    source = submission.source
    if submission.kind == Submission.Kind.SOURCE:
        chosen = registry.default_priority(source.institution_type) if priority is None else int(priority)
        Source.objects.filter(pk=source.pk).update(status=Source.Status.APPROVED, approved_by=reviewer, priority=chosen)
    else:
        recipes.remember(submission)  # the source's recipe for this file's shape, when it brought a mapping
        from .tasks import merge_submission  # the tasks call this module: imported when needed

        dispatch_on_commit(merge_submission, submission.pk)
    return action


def _require_comment(comment: str, message: str) -> str:
    text = (comment or "").strip()
    if not text:
        raise ReviewError(message)
    return text


@transaction.atomic
def reject(*, submission: Submission, reviewer: Any, comment: str, version: int | None = None) -> ReviewAction:
    text = _require_comment(comment, _("Say why you reject it: the submitter needs the comment to act on it."))
    _decide(submission=submission, reviewer=reviewer, status=Status.REJECTED, verb="reject", version=version)
    if submission.kind == Submission.Kind.SOURCE:
        Source.objects.filter(pk=submission.source_id, status=Source.Status.PROPOSED).update(
            status=Source.Status.REJECTED
        )
    action = _log(submission, reviewer, Action.REJECT, text)
    notifications.queue_on_commit(submission.pk, "rejected")
    return action


@transaction.atomic
def request_changes(*, submission: Submission, reviewer: Any, comment: str, version: int | None = None) -> ReviewAction:
    text = _require_comment(comment, _("Say why you ask for changes: the submitter needs the comment to act on it."))
    _decide(
        submission=submission,
        reviewer=reviewer,
        status=Status.CHANGES_REQUESTED,
        verb="request changes",
        version=version,
    )
    action = _log(submission, reviewer, Action.REQUEST_CHANGES, text)
    notifications.queue_on_commit(submission.pk, "changes_requested")
    return action


def retry_merge(*, submission: Submission, actor: Any) -> bool:
    """Staff only: put a failed merge back in line (logged as RETRY_MERGE)."""
    if not can_retry_merge(actor):
        raise NotAllowed(_("Only staff can retry a merge."))
    if not merge.retry(submission=submission, actor=actor):
        raise Conflict(_("Only a submission whose merge failed can be retried."))
    return True


def set_daily_digest(*, reviewer: Any, wanted: bool) -> ReviewerPreference:
    """Switch the reviewer's daily digest of new submissions in their scope on or off."""
    preference, _created = ReviewerPreference.objects.update_or_create(user=reviewer, defaults={"daily_digest": wanted})
    return preference
