"""Selectors: the database reads behind the public data pages (country summaries, a location's series,
sources, provenance) and the one definition of "the latest release" every app uses.

Everything here is read-only and sized for the full dataset (millions of observations): the countries
index reads the latest release's value snapshot (summaries.py), a location's page one range scan of
the (location, metric, date) unique index, never a scan of the whole table per page view. No pandas: a page needs a
few thousand numbers at most. The series maths (daily changes, averages) is in series.py.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from places.models import Location, LocationAlias, Metric, normalise_name
from sources.models import Source

from . import ended, kept
from .models import Observation, ObservationHistory, Release
from .series import MetricSeries, group_points, make_series

COUNTRY_SORTS = {
    "name": _("Name (A–Z)"),
    "-name": _("Name (Z–A)"),
    "-latest": _("Latest data first"),
    "latest": _("Oldest data first"),
    "-sources": _("Most sources first"),
}
DEFAULT_COUNTRY_SORT = "name"
COUNTRIES_PAGE_SIZE = 50  # the countries index in pages, so that it stays short on a phone


# --- countries index --------------------------------------------------------------------------


@dataclass
class CountrySummary:
    """One row of the countries index. `values` maps metric code to its latest value (or None)."""

    location: Location
    latest_date: date | None
    values: dict
    source_count: int
    from_regions: list = field(default_factory=list)  # codes of the metrics summed from regions
    cells: list = field(default_factory=list)  # (metric, value, summed from regions) in column order

    @property
    def key(self) -> str:
        return self.location.key


@dataclass
class CountryIndex:
    rows: list
    metrics: list  # the metrics with at least one value in `rows`, in display order
    sort: str
    version: str = ""  # changes with every release: a cache key for whatever is rendered from it


def search_locations(queryset, text: str):
    """Filter locations by key, name or any alias (accents and punctuation ignored)."""
    text = (text or "").strip()
    if not text:
        return queryset
    wanted = normalise_name(text)
    condition = Q(key__iexact=text) | Q(name__icontains=text)
    if wanted:
        aliased = Exists(LocationAlias.objects.filter(location=OuterRef("pk"), normalised__contains=wanted))
        condition |= aliased  # type: ignore[assignment]  # Q | Exists is a valid condition
    return queryset.filter(condition)


def country_index(*, search: str = "", sort: str = DEFAULT_COUNTRY_SORT) -> CountryIndex:
    """Every country with data (its own, or only its regions'), with latest date, values and sources.

    The summaries are computed once per release (values change only through releases) and cached;
    a search is then one query on names and aliases, and sorting happens in Python on ~250 rows.
    """
    metrics = list(Metric.objects.all())
    sort = sort if sort in valid_country_sorts(metrics) else DEFAULT_COUNTRY_SORT
    version = "{}:{}".format(_release_version(), "-".join(str(m.pk) for m in metrics))
    rows = kept.per_release("dataset:country-summaries", version, lambda: country_summaries(metrics))
    if search.strip():
        wanted = set(
            search_locations(Location.objects.filter(level=Location.Level.COUNTRY), search).values_list("pk", flat=True)
        )
        rows = [row for row in rows if row.location.pk in wanted]
    shown = [m for m in metrics if any(row.values.get(m.code) is not None for row in rows)]
    for row in rows:
        row.cells = [(m, row.values.get(m.code), m.code in row.from_regions) for m in shown]
    return CountryIndex(rows=sort_countries(rows, sort), metrics=shown, sort=sort, version=version)


def country_page(index: CountryIndex, number=None):
    """One page of the countries index (the first when `number` is missing or invalid)."""
    return Paginator(index.rows, COUNTRIES_PAGE_SIZE).get_page(number)


def _release_version() -> str:
    """The latest release as "pk-number" ("0-0" before the first) and the version of the end marks
    (dataset/ended.py): what per-release entries are keyed on."""
    latest = latest_release()
    return "{}-{}-e{}".format(*((latest.pk, latest.number) if latest else (0, 0)), ended.version())


def country_summaries(metrics) -> list:
    """Summaries of every country with data, from the latest release's value snapshot (summaries.py)."""
    from . import summaries  # it reads the snapshot, whose module imports this one

    return summaries.country_summaries(metrics, CountrySummary)


def _regions_with_data():
    return Location.objects.filter(Exists(Observation.objects.filter(location=OuterRef("pk"))))


def _summable_regions(parents):
    """The places whose values add up to their parents': the regions with data and, under a region
    with no data of its own, its subdivisions with data (Italy's P.A. Trento and P.A. Bolzano, which
    ISO 3166-2 puts under Trentino-Alto Adige)."""
    empty_regions = Location.objects.filter(parent__in=parents).exclude(
        Exists(Observation.objects.filter(location=OuterRef("pk")))
    )
    return _regions_with_data().filter(Q(parent__in=parents) | Q(parent__in=empty_regions))


def special_places_with_data() -> list[Location]:
    """Cruise ships, events and other places outside any country that have data, by name (kept per release)."""
    from . import summaries  # it reads the snapshot, whose module imports this one

    def compute() -> list[Location]:
        specials = Location.objects.filter(level=Location.Level.SPECIAL).select_related("parent")
        with_data = summaries.places_with_data()
        return [place for place in specials.order_by("name", "key") if place.pk in with_data]

    return kept.per_release("dataset:special-places", _release_version(), compute)


def valid_country_sorts(metrics) -> dict:
    """Sort keys the index accepts, with labels: fixed ones plus "largest <metric> first" per metric."""
    sorts = {key: str(label) for key, label in COUNTRY_SORTS.items()}
    for metric in metrics:
        sorts[f"-{metric.code}"] = gettext("Most %(metric)s first") % {"metric": metric.name.lower()}
    return sorts


def sort_countries(rows: list, sort: str) -> list:
    """Sort index rows; rows without a value for the sort key always go last."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "name":
        return sorted(rows, key=lambda r: r.location.name.casefold(), reverse=descending)
    if key == "latest":
        value = lambda r: r.latest_date  # noqa: E731
    elif key == "sources":
        value = lambda r: r.source_count  # noqa: E731
    else:
        value = lambda r: r.values.get(key)  # noqa: E731
    present = sorted((r for r in rows if value(r) is not None), key=lambda r: r.location.name.casefold())
    present.sort(key=value, reverse=descending)
    missing = sorted((r for r in rows if value(r) is None), key=lambda r: r.location.name.casefold())
    return present + missing


# --- one location's page ----------------------------------------------------------------------


def location_series(location: Location) -> list[MetricSeries]:
    """One MetricSeries per metric with data for the location, in metric display order.

    For a metric the location has no series of its own for, but its regions do (JHU's Canada:
    cases only per province), the series is the sum of its regions per date, marked as such.
    """
    metrics = {m.pk: m for m in Metric.objects.all()}
    rows = (
        Observation.objects.filter(location=location)
        .order_by("metric_id", "date")
        .values_list("metric_id", "date", "value")
    )
    points = group_points(rows)
    summed = {}
    regions = list(_summable_regions([location]).values_list("pk", flat=True))
    if regions and len(points) < len(metrics):
        totals = (
            Observation.objects.filter(location__in=regions)
            .exclude(metric_id__in=list(points))
            .exclude(ended.ended_rows())
            .values("metric_id", "date")
            .annotate(total=Sum("value"))
            .order_by("metric_id", "date")
            .values_list("metric_id", "date", "total")
        )
        summed = group_points(totals)
    ends = {metric_id: start for (_, metric_id), start in ended.end_dates([location.pk]).items()}
    return make_series(metrics, {**points, **summed}, dict.fromkeys(summed, len(regions)), ends)


def location_page_data(location: Location) -> dict:
    """What a location's page reads from the observations, kept per release (values change only through
    releases); the release's warming fills every country's."""

    def compute() -> dict:
        series = location_series(location)
        with_regions = any(s.summed_regions for s in series)
        return {
            "series": series,
            "charts": [s.as_json() for s in series],  # the page's JSON script (with the location's name)
            "with_regions": with_regions,
            "subregions": list(subregions(location)),
            "source_counts": source_counts(location, include_regions=with_regions),
            "last_change": last_change(location, include_regions=with_regions),
        }

    return kept.per_release(f"dataset:location-page:{location.pk}", _release_version(), compute)


def subregions(location: Location):
    """The location's children, those with data first, each marked `has_data`."""
    has_data = Exists(Observation.objects.filter(location=OuterRef("pk")))
    return location.children.annotate(has_data=has_data).order_by("-has_data", "name")


def source_counts(location: Location, *, include_regions: bool = False) -> dict[int, int]:
    """{source id: number of the location's current values it supplied} (its regions' too, when asked)."""
    return dict(
        Observation.objects.filter(location_id__in=_self_and_regions(location, include_regions))
        .order_by()
        .values("source_id")
        .annotate(n=Count("id"))
        .values_list("source_id", "n")
    )


def location_sources(location: Location, *, include_regions: bool = False, counts: dict[int, int] | None = None):
    """Sources that supplied the location's current values (with how many each), then sources in the
    registry for this place that have supplied nothing yet (`value_count` 0). With `include_regions`,
    values of its regions count too (for the figures shown as a sum of regions). `counts` are the
    source_counts() when the caller has them."""
    if counts is None:
        counts = source_counts(location, include_regions=include_regions)
    registered = Q(country=location) | Q(subregion=location)
    candidates = Source.objects.filter(Q(pk__in=counts) | (registered & Q(status=Source.Status.APPROVED)))
    sources = list(candidates.select_related("country"))
    for source in sources:
        source.value_count = counts.get(source.pk, 0)  # type: ignore[attr-defined]
    return sorted(sources, key=lambda s: (-s.value_count, -s.priority, s.name))


def regions_with_metric(location: Location, metric: Metric):
    """The location's regions that have values for `metric` (one index probe each), by name."""
    has_metric = Exists(Observation.objects.filter(location=OuterRef("pk"), metric=metric))
    return location.children.filter(has_metric).order_by("name")


def _self_and_regions(location: Location, include_regions: bool) -> list:
    """Location ids to read: the location's own, and its regions' when asked (an IN list on the index)."""
    ids = [location.pk]
    if include_regions:
        ids += list(location.children.values_list("pk", flat=True))
    return ids


def last_change(location: Location, *, include_regions: bool = False) -> Release | None:
    """The release in which any of the location's current values (or its regions') last changed."""
    supplied = Observation.objects.filter(location_id__in=_self_and_regions(location, include_regions))
    number = supplied.aggregate(n=Max("release__number"))["n"]
    return Release.objects.filter(number=number).first() if number is not None else None


def breadcrumbs(location: Location) -> list[Location]:
    """The location's ancestors, outermost first (a short walk: at most three levels)."""
    chain: list[Location] = []
    parent = location.parent
    while parent is not None and len(chain) < 5:
        chain.append(parent)
        parent = parent.parent
    return chain[::-1]


# --- provenance -------------------------------------------------------------------------------


def provenance(location: Location, metric: Metric, *, on: date | None = None):
    """(current values, history of replaced values) for one location and metric, newest first.
    Both are querysets, ready to paginate; `on` narrows both to one date."""
    values = Observation.objects.filter(location=location, metric=metric)
    history = ObservationHistory.objects.filter(location=location, metric=metric)
    if on is not None:
        values, history = values.filter(date=on), history.filter(date=on)
    values = values.select_related("source", "submission", "release").order_by("-date")
    history = history.select_related("old_source", "new_source", "old_release", "release", "submission").order_by(
        "-date", "-changed_at", "-pk"
    )
    return values, history


# --- releases and downloads -------------------------------------------------------------------


def latest_release() -> Release | None:
    """The latest release: the one with the highest number (None before the first). Every "which
    release is current" question in the portal asks this."""
    return Release.objects.order_by("-number").first()


def latest_release_number() -> int | None:
    """The latest release's number (None before the first)."""
    return latest.number if (latest := latest_release()) is not None else None


def release_with_files() -> Release | None:
    """The newest release whose export files exist (the latest one may still be building)."""
    return Release.objects.filter(files__isnull=False).order_by("-number").distinct().first()


def earlier_releases(latest: Release | None):
    """Every release before `latest`, newest first, with its files."""
    releases = Release.objects.order_by("-number").prefetch_related("files")
    if latest is not None:
        releases = releases.filter(number__lt=latest.number)
    return releases
