"""Reads of moderation that pages, API and mails share: the queue, claims, counts, preferences."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.permissions import can_moderate
from common.querysets import filter_given
from contributions.diff import higher_priority_count
from contributions.models import Submission
from places.models import Location
from places.resolver import LocationResolver
from sources.models import Source

from .models import ReviewerPreference


def reviewable_by(user: Any) -> QuerySet[Submission]:
    """Submissions this user may act on: in scope, never their own."""
    if not can_moderate(user):
        return Submission.objects.none()
    in_scope: QuerySet[Submission] = Submission.objects.in_scope_of(user)
    return in_scope.exclude(submitter=user)


def submission_for_review(user: Any, pk: int) -> Submission | None:
    """One submission the user may review, with what its review page shows; None outside their scope."""
    return (
        reviewable_by(user)
        .select_related("source", "country", "submitter", "claimed_by", "merged_release")
        .filter(pk=pk)
        .first()
    )


def queue_for(
    user: Any,
    *,
    status: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    submitter: str | None = None,
    source: Any = None,
    older_than_days: int | None = None,
    has_warnings: bool | None = None,
) -> QuerySet[Submission]:
    """The review queue: waiting submissions in scope, oldest first, with optional filters."""
    submissions = (
        reviewable_by(user).select_related("source", "country", "submitter", "claimed_by").prefetch_related("countries")
    )
    submissions = submissions.filter(status__in=[status] if status else Submission.REVIEWABLE)
    if country:
        touching = Submission.objects.touching(Location.objects.filter(key=country))
        submissions = submissions.filter(pk__in=touching.values("pk"))
    submissions = filter_given(
        submissions,
        kind=kind,
        submitter__email__icontains=submitter,
        source_id=source,
        created_at__lte=timezone.now() - timedelta(days=older_than_days) if older_than_days else None,
    )
    if has_warnings is True:
        submissions = submissions.filter(warning_count__gt=0)
    elif has_warnings is False:
        submissions = submissions.filter(warning_count=0)
    return submissions.order_by("created_at", "pk")


def claimed_by_me(user: Any) -> QuerySet[Submission]:
    """The waiting submissions this reviewer holds now, the claim ending soonest first."""
    return (
        reviewable_by(user)
        .filter(status__in=Submission.REVIEWABLE, claimed_by=user, claimed_until__gt=timezone.now())
        .order_by("claimed_until")
    )


def counts_per_status(user: Any) -> dict[str, int]:
    rows = reviewable_by(user).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def holder(submission: Submission) -> Any | None:
    """Who holds the submission now (a live claim), or None."""
    if submission.claimed_by_id and submission.claimed_until and submission.claimed_until > timezone.now():
        return submission.claimed_by
    return None


def proposal_of(source: Any) -> Submission | None:
    """The source proposal of a source (the first, if it was proposed more than once)."""
    return Submission.objects.filter(kind=Submission.Kind.SOURCE, source=source).order_by("created_at", "pk").first()


def pending_proposal(submission: Submission) -> Submission | None:
    """For data of a source that is only proposed: its proposal still waiting for review, else None."""
    if submission.kind != Submission.Kind.DATA or submission.source.status != Source.Status.PROPOSED:
        return None
    proposal = proposal_of(submission.source)
    return proposal if proposal is not None and proposal.status in Submission.REVIEWABLE else None


def diff_by_country(submission: Submission) -> list[dict[str, Any]]:
    """Per country of the values: how many, and how many are new, changed or unchanged (from the
    diff's series; a diff with truncated series gives lower bounds)."""
    report = submission.report or {}
    rows = {c["key"]: {**c, "new": 0, "changed": 0, "unchanged": 0} for c in report.get("countries", [])}
    resolver = LocationResolver.current()
    for series in (submission.diff or {}).get("series", []):
        place = resolver.get(series["location"])
        if place is None:
            continue
        country = resolver.country_of(place)
        row = rows.setdefault(
            country.key, {"key": country.key, "name": country.name, "values": 0, "new": 0, "changed": 0, "unchanged": 0}
        )
        for count in ("new", "changed", "unchanged"):
            row[count] += int(series.get(count, 0))
    return [rows[key] for key in sorted(rows)]


def higher_priority_values(submission: Submission) -> int:
    """How many values of this upload would replace values of a higher-priority source (from the diff)."""
    return higher_priority_count(submission.diff)


def failed_merges() -> QuerySet[Submission]:
    """Approved submissions whose merge failed: staff retry them from the audit log."""
    return Submission.objects.filter(status=Submission.Status.MERGE_FAILED).select_related("source")


def wants_daily_digest(user: Any) -> bool:
    """Whether the reviewer asked for the daily digest of new submissions in their scope."""
    preference = ReviewerPreference.objects.filter(user=user).first()
    return bool(preference and preference.daily_digest)


def digest_subscribers() -> QuerySet[ReviewerPreference]:
    """Active reviewers who opted in to the daily digest."""
    return ReviewerPreference.objects.filter(daily_digest=True, user__is_active=True).select_related("user")
