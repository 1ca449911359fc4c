"""Proposing a source: a proposed Source plus a Submission (kind source) that waits for a reviewer.

The registry's rules (one source per normalised URL, the URL and the places it may name, default
priorities) are sources.services; this module adds what makes a proposal a submission: the
daily limit per volunteer and the submission itself. Decisions on proposals (approve, reject) go
through review.services, which keeps the audit log.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from places.models import Location, Metric
from sources import services as registry
from sources.models import Source

from .models import Submission

DEFAULT_PROPOSALS_PER_DAY = 10


class TooManyProposals(registry.SourceProposalError):
    """The volunteer reached the daily limit; `retry_after` says in how many seconds they may again."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


def proposals_per_day() -> int:
    return int(settings.SOURCE_PROPOSALS_PER_DAY)


def _recent_proposals(user: User) -> QuerySet[Submission]:
    since = timezone.now() - timedelta(days=1)
    return Submission.objects.filter(kind=Submission.Kind.SOURCE, submitter=user, created_at__gte=since)


def proposals_left(user: User) -> int | None:
    """How many more sources this user may propose in the next 24 hours (None: no limit)."""
    if user.is_reviewer:
        return None
    return max(proposals_per_day() - _recent_proposals(user).count(), 0)


def seconds_until_next_proposal(user: User) -> int:
    """Seconds until the oldest proposal of the last 24 hours leaves the window (0: none in it)."""
    oldest = _recent_proposals(user).order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return 0
    return max(int((oldest + timedelta(days=1) - timezone.now()).total_seconds()) + 1, 1)


@transaction.atomic
def propose_source(
    *,
    proposer: User,
    name: str,
    institution: str,
    institution_type: str,
    url: str,
    country: Location | None = None,
    subregion: Location | None = None,
    data_format: str = "",
    cadence: str = Source.Cadence.DAILY,
    licence: str = "",
    attribution: str = "",
    metrics: Iterable[Metric] = (),
    notes: str = "",
    comment: str = "",
) -> Submission:
    """Register a proposed source and the Submission (kind source) that waits for a reviewer.

    Raises DuplicateSource when the normalised URL is taken, TooManyProposals past the daily
    limit, ValidationError (by field) when the URL is not http(s) or too long, or when the
    country or subregion does not fit. Returns the submission; its `source` is the new Source
    with the default priority of its institution type.
    """
    left = proposals_left(proposer)
    if left is not None and left <= 0:
        raise TooManyProposals(
            gettext(
                "You have proposed %(count)s sources in the last 24 hours. "
                "Please wait for reviewers to catch up and try again tomorrow."
            )
            % {"count": proposals_per_day()},
            retry_after=seconds_until_next_proposal(proposer),
        )
    registry.check_url(url)
    registry.check_location(institution_type=institution_type, country=country, subregion=subregion)
    existing = registry.find_duplicate(url)
    if existing is not None:
        raise registry.DuplicateSource(existing)
    source = Source(
        name=name.strip(),
        institution=institution.strip(),
        institution_type=institution_type,
        url=url.strip(),
        country=country,
        subregion=subregion,
        data_format=data_format.strip(),
        cadence=cadence,
        licence=licence.strip(),
        attribution=attribution.strip(),
        priority=registry.default_priority(institution_type),
        status=Source.Status.PROPOSED,
        notes=notes.strip(),
        proposed_by=proposer,
    )
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # Someone registered the same URL between our check and our insert.
        existing = registry.find_duplicate(url)
        if existing is None:
            raise
        raise registry.DuplicateSource(existing)
    source.metrics.set(list(metrics))
    return Submission.objects.create(
        kind=Submission.Kind.SOURCE,
        submitter=proposer,
        country=country,
        source=source,
        comment=comment.strip(),
        status=Submission.Status.AWAITING_REVIEW,
    )
