"""Proposing sources: one source per normalised URL, default priorities, a daily limit.

Decisions on proposals (approve, reject) go through review.services, which keeps the audit log.
"""
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contributions.models import Submission
from places.models import Location, Metric

from .models import Source, normalise_url

# Institutions that speak for one country: their sources must say which.
NATIONAL_TYPES = {
    Source.InstitutionType.MINISTRY,
    Source.InstitutionType.PUBLIC_HEALTH,
    Source.InstitutionType.STATISTICS,
    Source.InstitutionType.HOSPITAL,
    Source.InstitutionType.SUBNATIONAL,
}
DEFAULT_PROPOSALS_PER_DAY = 10


class SourceProposalError(Exception):
    """A proposal we refuse; the message is shown to the volunteer as it is."""


class DuplicateSource(SourceProposalError):
    def __init__(self, existing: Source):
        self.existing = existing
        super().__init__(
            f"This URL is already registered as “{existing.name}” ({existing.get_status_display().lower()})."
        )


class TooManyProposals(SourceProposalError):
    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)


def default_priority(institution_type: str) -> int:
    """Official national > subnational official > international organisation > aggregator."""
    return Source.DEFAULT_PRIORITY.get(institution_type, Source.DEFAULT_PRIORITY[Source.InstitutionType.OTHER])


def priority_table() -> list[tuple[str, int]]:
    """(institution type label, default priority), highest first, for pages that explain the order."""
    rows = [(label, default_priority(value)) for value, label in Source.InstitutionType.choices]
    return sorted(rows, key=lambda row: -row[1])


def find_duplicate(url: str) -> Source | None:
    """The source already registered under this URL after normalisation, if any."""
    return Source.objects.filter(url_normalised=normalise_url(url)).first()


def proposals_per_day() -> int:
    return int(getattr(settings, "SOURCE_PROPOSALS_PER_DAY", DEFAULT_PROPOSALS_PER_DAY))


def proposals_left(user) -> int | None:
    """How many more sources this user may propose in the next 24 hours (None: no limit)."""
    if user.is_reviewer:
        return None
    since = timezone.now() - timedelta(days=1)
    used = Submission.objects.filter(kind=Submission.Kind.SOURCE, submitter=user, created_at__gte=since).count()
    return max(proposals_per_day() - used, 0)


def _seconds_until_next_proposal(user) -> int:
    since = timezone.now() - timedelta(days=1)
    window = Submission.objects.filter(kind=Submission.Kind.SOURCE, submitter=user, created_at__gte=since)
    oldest = window.order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return 0
    return max(int((oldest + timedelta(days=1) - timezone.now()).total_seconds()) + 1, 1)


def check_location(*, institution_type: str, country: Location | None, subregion: Location | None) -> None:
    """Raise ValidationError (by field) when country and subregion do not fit the institution type."""
    errors = {}
    if country is not None and country.level != Location.Level.COUNTRY:
        errors["country"] = f"{country.name} is not a country."
    if country is None and institution_type in NATIONAL_TYPES:
        errors["country"] = "An official national or subnational institution needs its country."
    if institution_type == Source.InstitutionType.SUBNATIONAL and subregion is None:
        errors["subregion"] = "A subnational body needs the region it covers (an ISO 3166-2 code such as IT-25)."
    if subregion is not None:
        if subregion.level not in (Location.Level.REGION, Location.Level.SUBREGION):
            errors["subregion"] = f"{subregion.name} is not a region of a country."
        elif country is None or subregion.country_code != country.country_code:
            errors["subregion"] = f"{subregion.name} is not in {country.name if country else 'the chosen country'}."
    if errors:
        raise ValidationError(errors)


URL_MAX_LENGTH = 500


def check_url(url: str) -> None:
    """Raise ValidationError unless the URL is a web address we can store and compare."""
    scheme = url.strip().split(":", 1)[0].lower() if "://" in url else ""
    if scheme not in ("http", "https"):
        raise ValidationError({"url": "Give the address of a web page or file (http:// or https://)."})
    if len(url.strip()) > URL_MAX_LENGTH or len(normalise_url(url)) > URL_MAX_LENGTH:
        raise ValidationError({"url": f"This address is longer than {URL_MAX_LENGTH} characters."})


@transaction.atomic
def propose_source(
    *,
    proposer,
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
            f"You have proposed {proposals_per_day()} sources in the last 24 hours. "
            "Please wait for reviewers to catch up and try again tomorrow.",
            retry_after=_seconds_until_next_proposal(proposer),
        )
    check_url(url)
    check_location(institution_type=institution_type, country=country, subregion=subregion)
    existing = find_duplicate(url)
    if existing is not None:
        raise DuplicateSource(existing)
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
        priority=default_priority(institution_type),
        status=Source.Status.PROPOSED,
        notes=notes.strip(),
        proposed_by=proposer,
    )
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # Someone registered the same URL between our check and our insert.
        existing = find_duplicate(url)
        if existing is None:
            raise
        raise DuplicateSource(existing)
    source.metrics.set(list(metrics))
    return Submission.objects.create(
        kind=Submission.Kind.SOURCE,
        submitter=proposer,
        country=country,
        source=source,
        comment=comment.strip(),
        status=Submission.Status.AWAITING_REVIEW,
    )
