"""Coverage of every country and territory: volunteers, approved sources, our data and one status.

A country moves through the steps a volunteer takes: someone looks after it, finds its official
source, gets that source's data merged, and keeps it coming. Its status is the first step still
missing, then whether its data is flowing, overdue or complete (see STATUS_HELP). The headline
counts, the table, the map and the call for volunteers all read the same rows from `overview()`.

Computed in six queries whatever the number of countries; the scan of the observations (latest
date and last change per country and source) is cached per release, since only a release changes it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import VolunteerProfile
from dataset.models import Observation, Release
from dataset.selectors import latest_release_number
from outreach.regions import REGIONS
from places.models import Location
from sources.models import Source

# How old the latest date from a source of each cadence may be before its country's updates are
# overdue (reporting lag and a missed update included); a source no longer updated (`final`) never is.
ALLOWANCE = {
    Source.Cadence.DAILY: timedelta(days=7),
    Source.Cadence.WEEKLY: timedelta(days=21),
    Source.Cadence.IRREGULAR: timedelta(days=90),
}


class Status(models.TextChoices):
    """In the order of how much help a country needs (most first)."""

    NO_VOLUNTEER = "no_volunteer", _("No volunteer yet")
    NO_SOURCE = "no_source", _("Needs an official source")
    NO_DATA = "no_data", _("Needs its first data")
    STALE = "stale", _("Updates overdue")
    FLOWING = "flowing", _("Data flowing")
    COMPLETE = "complete", _("Complete (series ended)")


STATUS_ORDER = {status: index for index, status in enumerate(Status)}
NEEDS_HELP = frozenset({Status.NO_VOLUNTEER, Status.NO_SOURCE, Status.NO_DATA, Status.STALE})


def _days(delta: timedelta) -> str:
    return ngettext("%(count)s day", "%(count)s days", delta.days) % {"count": delta.days}


def _stale_help() -> str:
    allowances = ", ".join(f"{cadence.label.lower()}: {_days(allowance)}" for cadence, allowance in ALLOWANCE.items())
    return gettext(
        "Its approved sources are still published, but the latest date we hold from them is older than their "
        "cadence allows (%(allowances)s). A source that has stopped for good should be marked as no longer updated."
    ) % {"allowances": allowances}


STATUS_HELP = {
    Status.NO_VOLUNTEER: _(
        "Nobody looks after it yet: no volunteer who finished signing up, with an active account, "
        "has named it. Data we hold from international series (such as JHU's) do not change this: "
        "someone has to watch the country's own sources."
    ),
    Status.NO_SOURCE: _(
        "It has a volunteer, but none of its official sources has been approved by a reviewer yet. "
        "International sources do not count."
    ),
    Status.NO_DATA: _("It has an approved official source, but no value from that source has been merged yet."),
    Status.STALE: lazy(_stale_help, str)(),
    Status.FLOWING: _(
        "An approved source that is still published has delivered data for a recent date, within "
        "what its cadence allows. Corrections of old dates keep our data up to date but do not count "
        "as new data."
    ),
    Status.COMPLETE: _(
        "We hold data from its approved sources and every one of them is marked as no longer updated: "
        "the official series has ended and nothing more is expected."
    ),
}


@dataclass(frozen=True)
class SourceData:
    """What one source contributed for one country: its latest date, and when it last changed our data."""

    latest_date: date
    changed_at: datetime | None


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
    latest_date: date | None  # from any source, international ones included
    last_change: datetime | None  # from its own approved sources
    status: Status

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def needs_help(self) -> bool:
        return self.status in NEEDS_HELP


@dataclass
class Overview:
    """Everything the coverage page shows, from one computation."""

    rows: list[CountryCoverage]  # filtered and sorted for the table
    total: int  # countries and territories in the region (or the world)
    summary: list[tuple[Status, int]]  # every status with its count, over the same countries
    needs_help: int
    no_volunteer: list[CountryCoverage]  # by name
    map_data: dict[str, dict[str, str]] = field(default_factory=dict)


def status_for(*, volunteers: int, sources: list[tuple[str, SourceData | None]], now: datetime) -> Status:
    """The first missing step, then freshness; `sources` are the country's approved ones (cadence, data).

    Freshness compares the latest date a source delivered with its declared cadence; a series whose
    sources all ended (cadence `final`) is complete rather than stale, however old its last date.
    """
    if not volunteers:
        return Status.NO_VOLUNTEER
    if not sources:
        return Status.NO_SOURCE
    if all(data is None for _cadence, data in sources):
        return Status.NO_DATA
    ongoing = [(cadence, data) for cadence, data in sources if cadence in ALLOWANCE]
    if not ongoing:
        return Status.COMPLETE
    for cadence, data in ongoing:
        if data is not None and now.date() - data.latest_date <= ALLOWANCE[Source.Cadence(cadence)]:
            return Status.FLOWING
    return Status.STALE


def _volunteer_counts() -> dict[int, int]:
    """Distinct volunteers per country (primary or other), onboarding finished and account active."""
    active = {"user__is_active": True, "completed_at__isnull": False}
    primary = VolunteerProfile.objects.filter(primary_country__isnull=False, **active).values_list(
        "pk", "primary_country_id"
    )
    others = (
        VolunteerProfile.other_countries.through.objects.filter(
            **{f"volunteerprofile__{k}": v for k, v in active.items()}
        )
        .values_list("volunteerprofile_id", "location_id")
        .order_by()
    )
    counts: dict[int, int] = {}
    for _profile, country in primary.union(others):  # UNION: a country named twice counts once
        counts[country] = counts.get(country, 0) + 1
    return counts


def _source_data() -> dict[tuple[str, int], SourceData]:
    """(country code, source id) → what that source contributed there; cached until the next release."""
    release = latest_release_number() or 0
    key = f"outreach:coverage:sources:{release}"
    data = cache.get(key)
    if data is None:
        rows = list(
            Observation.objects.values("location__country_code", "source_id")
            # after values() the name is free (Django checks the selected names); the plugin checks the model's
            .annotate(latest=Max("date"), release_id=Max("release_id"))  # type: ignore[no-redef]
            .order_by()
        )
        changed = dict(
            Release.objects.filter(pk__in={row["release_id"] for row in rows}).values_list("pk", "created_at")
        )
        data = {
            (row["location__country_code"], row["source_id"]): SourceData(row["latest"], changed.get(row["release_id"]))
            for row in rows
            if row["location__country_code"]
        }
        cache.set(key, data, timeout=3600)
    return data


def compute(*, now: datetime | None = None) -> list[CountryCoverage]:
    """One row per country or territory (every Location of level country), sorted by name."""
    import pycountry

    now = now or timezone.now()
    volunteers = _volunteer_counts()
    approved: dict[int, list[tuple[int, str, int]]] = {}
    for pk, country_id, cadence, failures in Source.objects.filter(
        status=Source.Status.APPROVED, country__isnull=False
    ).values_list("pk", "country_id", "cadence", "consecutive_check_failures"):
        approved.setdefault(country_id, []).append((pk, cadence, failures))
    contributed = _source_data()
    latest: dict[str, date] = {}
    for (code, _source), data in contributed.items():
        latest[code] = max(latest.get(code, data.latest_date), data.latest_date)
    rows = []
    for pk, key, name in Location.objects.filter(level=Location.Level.COUNTRY).values_list("pk", "key", "name"):
        code = key[:2]
        region, subregion = REGIONS.get(code, ("Other", ""))
        country = pycountry.countries.get(alpha_2=code)
        own = [(cadence, contributed.get((code, source))) for source, cadence, _ in approved.get(pk, [])]
        changes = [data.changed_at for _, data in own if data is not None and data.changed_at is not None]
        rows.append(
            CountryCoverage(
                key=key,
                name=name,
                numeric=getattr(country, "numeric", "") if country else "",
                region=region,
                subregion=subregion,
                volunteers=volunteers.get(pk, 0),
                sources=len(own),
                failing_sources=sum(f >= Source.FAILING_AFTER for _, _, f in approved.get(pk, [])),
                latest_date=latest.get(code),
                last_change=max(changes, default=None),
                status=status_for(volunteers=volunteers.get(pk, 0), sources=own, now=now),
            )
        )
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


def filter_and_sort(
    rows: list[CountryCoverage], *, region: str = "", status: str = "", sort: str = "name", descending: bool = False
) -> list[CountryCoverage]:
    if region:
        rows = [r for r in rows if r.region == region]
    if status:
        rows = [r for r in rows if r.status == status]
    return sorted(rows, key=SORTS.get(sort, SORTS["name"]), reverse=descending)


def summary(rows: list[CountryCoverage]) -> list[tuple[Status, int]]:
    """Every status with the number of rows that have it (zeros included), in STATUS_ORDER."""
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[row.status] += 1
    return list(counts.items())


def failing_sources() -> list[Source]:
    """Approved sources whose last Source.FAILING_AFTER checks or more failed, by country."""
    return list(
        Source.objects.failing()
        .filter(status=Source.Status.APPROVED)
        .select_related("country")
        .order_by("country__name", "name")
    )


def overview(
    *, region: str = "", status: str = "", sort: str = "status", descending: bool = False, now: datetime | None = None
) -> Overview:
    """The coverage page: counts, call for volunteers and table over the region's countries (or all)."""
    all_rows = compute(now=now)
    in_region = filter_and_sort(all_rows, region=region)
    counts = summary(in_region)
    return Overview(
        rows=filter_and_sort(in_region, status=status, sort=sort, descending=descending),
        total=len(in_region),
        summary=counts,
        needs_help=sum(n for st, n in counts if st in NEEDS_HELP),
        no_volunteer=[r for r in in_region if r.status == Status.NO_VOLUNTEER],
        map_data={
            r.numeric: {"s": r.status.value, "l": str(r.status.label), "n": r.name, "k": r.key}
            for r in all_rows
            if r.numeric
        },
    )
