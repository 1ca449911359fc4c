"""Coverage of every country and territory: volunteers, approved sources, latest data and a status.

Computed in five queries whatever the number of countries; the latest-date aggregate (a scan of
the observations) is cached per release, since it only changes when a release is made.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db import models
from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import VolunteerProfile
from dataset.models import Location, Observation, Release
from outreach.regions import REGIONS
from sources.models import Source

STALE_AFTER = timedelta(days=14)


class Status(models.TextChoices):
    """In the order of how much help a country needs (most first)."""

    NO_VOLUNTEER = "no_volunteer", "No volunteer yet"
    NO_SOURCE = "no_source", "Volunteer but no source"
    NO_DATA = "no_data", "Source but no data"
    STALE = "stale", "Stale (no new data for 14 days)"
    FLOWING = "flowing", "Data flowing"


STATUS_ORDER = {status: index for index, status in enumerate(Status)}
NEEDS_HELP = {Status.NO_VOLUNTEER, Status.NO_SOURCE, Status.NO_DATA, Status.STALE}


@dataclass
class CountryCoverage:
    key: str
    name: str
    numeric: str
    region: str
    subregion: str
    volunteers: int
    sources: int
    failing_sources: int
    latest_date: date | None
    status: Status

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def needs_help(self) -> bool:
        return self.status in NEEDS_HELP


def status_for(*, volunteers: int, sources: int, latest_date: date | None, today: date) -> Status:
    """Data decides first (flowing or stale), then sources, then volunteers."""
    if latest_date is not None:
        return Status.STALE if today - latest_date > STALE_AFTER else Status.FLOWING
    if sources:
        return Status.NO_DATA
    if volunteers:
        return Status.NO_SOURCE
    return Status.NO_VOLUNTEER


def _volunteer_counts() -> dict[int, int]:
    """Distinct listed-or-not volunteers per country (primary or other), onboarding finished."""
    active = {"user__is_active": True, "completed_at__isnull": False}
    pairs = set(
        VolunteerProfile.objects.filter(primary_country__isnull=False, **active)
        .values_list("pk", "primary_country_id")
    )
    through = VolunteerProfile.other_countries.through
    pairs |= set(
        through.objects.filter(**{f"volunteerprofile__{k}": v for k, v in active.items()})
        .values_list("volunteerprofile_id", "location_id")
    )
    counts: dict[int, int] = {}
    for _profile, country in pairs:
        counts[country] = counts.get(country, 0) + 1
    return counts


def _latest_dates() -> dict[str, date]:
    """Latest observation date per country code, cached until the next release."""
    release = Release.latest_number() or 0
    key = f"outreach:coverage:latest:{release}"
    latest = cache.get(key)
    if latest is None:
        latest = {
            row["location__country_code"]: row["latest"]
            for row in Observation.objects.values("location__country_code").annotate(latest=Max("date"))
            if row["location__country_code"]
        }
        cache.set(key, latest, timeout=3600)
    return latest


def compute(*, today: date | None = None) -> list[CountryCoverage]:
    """One row per country or territory, sorted by name."""
    import pycountry

    today = today or timezone.now().date()
    volunteers = _volunteer_counts()
    sources = {
        row["country_id"]: row
        for row in Source.objects.filter(status=Source.Status.APPROVED, country__isnull=False)
        .values("country_id")
        .annotate(n=Count("id"), failing=Count("id", filter=Q(consecutive_check_failures__gte=3)))
    }
    latest = _latest_dates()
    rows = []
    for pk, key, name in Location.objects.filter(level=Location.Level.COUNTRY).values_list("pk", "key", "name"):
        code = key[:2]
        region, subregion = REGIONS.get(code, ("Other", ""))
        source_row = sources.get(pk, {})
        country = pycountry.countries.get(alpha_2=code)
        row = CountryCoverage(
            key=key, name=name, numeric=getattr(country, "numeric", "") if country else "",
            region=region, subregion=subregion, volunteers=volunteers.get(pk, 0),
            sources=source_row.get("n", 0), failing_sources=source_row.get("failing", 0),
            latest_date=latest.get(code), status=Status.NO_VOLUNTEER,
        )
        row.status = status_for(
            volunteers=row.volunteers, sources=row.sources, latest_date=row.latest_date, today=today
        )
        rows.append(row)
    rows.sort(key=lambda r: r.name)
    return rows


SORTS = {
    "name": lambda r: r.name,
    "region": lambda r: (r.region, r.name),
    "status": lambda r: (STATUS_ORDER[r.status], r.name),
    "volunteers": lambda r: (r.volunteers, r.name),
    "sources": lambda r: (r.sources, r.name),
    "latest": lambda r: (r.latest_date or date.min, r.name),
}


def filter_and_sort(rows: list[CountryCoverage], *, region: str = "", status: str = "", sort: str = "name",
                    descending: bool = False) -> list[CountryCoverage]:
    if region:
        rows = [r for r in rows if r.region == region]
    if status:
        rows = [r for r in rows if r.status == status]
    return sorted(rows, key=SORTS.get(sort, SORTS["name"]), reverse=descending)


def summary(rows: list[CountryCoverage]) -> list[tuple[Status, int]]:
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[row.status] += 1
    return list(counts.items())
