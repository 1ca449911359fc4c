"""The home page's data: every country's latest figures for the world map (total, per 100,000 people,
last 7 days), the world's totals, and the places whose values changed in the latest release.

Computed once per release (values change only through releases, end marks name their own version)
from the countries index's summaries plus one query for the values a week before each country's
latest date, and kept in the cache like the other per-release reads.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pycountry
from django.db.models import Count, Q

from places.models import Location, Metric

from . import derived, ended, kept, selectors
from .models import Observation, ObservationHistory, Release

MAP_METRICS = ("confirmed", "deaths")
CHANGED_PLACES_SHOWN = 20
PER = derived.PER  # the data dictionary's per 100,000 people (dataset/derived.py)


@dataclass
class WorldOverview:
    metrics: list  # [{"code", "name", "total"}] the map can show, in display order (total: the world's)
    countries: list  # [{"key", "name", "numeric", "population", "date", "values": {code: {...}}}]
    totals: dict  # {code: sum of the countries' latest values}
    latest_date: date | None
    release: Release | None
    changed: list = field(default_factory=list)  # [(location, values changed or added)] in the latest release
    changed_total: int = 0


def world_overview() -> WorldOverview:
    """The home page's figures for the latest release (kept per release)."""
    return kept.per_release("dataset:world-overview", selectors._release_version(), _compute)


def _compute() -> WorldOverview:
    index = selectors.country_index()
    metrics = [m for m in index.metrics if m.code in MAP_METRICS] or index.metrics[:2]
    week_before = _values_week_before([row for row in index.rows if row.latest_date], metrics)
    countries, totals = [], {m.code: 0.0 for m in metrics}
    for row in index.rows:
        place = row.location
        country = pycountry.countries.get(alpha_2=place.key) if len(place.key) == 2 else None
        values = {}
        for metric in metrics:
            total = row.values.get(metric.code)
            if total is None:
                continue
            totals[metric.code] += total
            before = week_before.get((place.pk, metric.pk))
            values[metric.code] = {
                "total": total,
                "per100k": round(total * PER / place.population, 2) if place.population else None,
                "week": total - before if before is not None and metric.kind == Metric.Kind.CUMULATIVE else None,
            }
        countries.append(
            {
                "key": place.key,
                "name": place.name,
                "numeric": getattr(country, "numeric", "") if country else "",
                "population": place.population,
                "date": row.latest_date.isoformat() if row.latest_date else None,
                "values": values,
            }
        )
    release = selectors.latest_release()
    changed, changed_total = _changed_places(release)
    dates = [row.latest_date for row in index.rows if row.latest_date]
    return WorldOverview(
        metrics=[{"code": m.code, "name": m.name, "total": totals[m.code]} for m in metrics],
        countries=countries,
        totals=totals,
        latest_date=max(dates, default=None),
        release=release,
        changed=changed,
        changed_total=changed_total,
    )


def _values_week_before(rows, metrics) -> dict:
    """{(location id, metric id): value 7 days before the country's latest date} (one query per metric)."""
    found: dict[tuple[int, int], float] = {}
    by_date: dict[date, list[int]] = {}
    for row in rows:
        by_date.setdefault(row.latest_date - timedelta(days=7), []).append(row.location.pk)
    if not by_date:
        return found
    wanted = Q()
    for day, location_ids in by_date.items():  # a few distinct dates: one index range each
        wanted |= Q(date=day, location_id__in=location_ids)
    for metric in metrics:
        values = ended.without_ended(Observation.objects.filter(wanted, metric=metric))
        for location_id, value in values.values_list("location_id", "value"):
            found[(location_id, metric.pk)] = value
    return found


def _changed_places(release: Release | None) -> tuple[list, int]:
    """The places with values added or changed in `release`, most changed first (and how many places)."""
    if release is None:
        return [], 0
    counts: dict[int, int] = {}
    for source in (Observation.objects.filter(release=release), ObservationHistory.objects.filter(release=release)):
        for location_id, n in (
            source.order_by().values("location_id").annotate(n=Count("id")).values_list("location_id", "n")
        ):
            counts[location_id] = max(counts.get(location_id, 0), n)
    top = sorted(counts.items(), key=lambda pair: -pair[1])[:CHANGED_PLACES_SHOWN]
    places = Location.objects.in_bulk([pk for pk, _ in top])
    return [(places[pk], n) for pk, n in top if pk in places], len(counts)
