"""What a release changed, per place and metric: values added, changed and removed, and their dates.

Read from the dataset and its history: a value a release changed or removed has a history row of
that release (indexed); a value it added is a current value last written by it, or one written by it
and replaced since (a history row whose old release is it), without a history row of its own. A
release's summary never changes once a newer release exists, so it is cached per release and the
latest release number.
"""

from dataclasses import asdict, dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection

from places.models import Location, Metric

from .models import Observation, ObservationHistory, Release
from .selectors import latest_release_number

CACHE_SECONDS = 24 * 3600


@dataclass
class SeriesChange:
    location_key: str
    location_name: str
    country: str
    metric: str
    added: int
    changed: int
    removed: int
    first_date: str
    last_date: str


def summary(release: Release) -> list[SeriesChange]:
    """The release's changes, one entry per place and metric, by place key and metric code."""
    key = f"changelog:{release.pk}:{release.number}:{latest_release_number()}"
    cached = cache.get(key)
    if cached is None:
        cached = [asdict(change) for change in _read(release)]
        cache.set(key, cached, CACHE_SECONDS)
    return [SeriesChange(**item) for item in cached]


def per_country(changes: list[SeriesChange]) -> list[tuple[str, int, int, int]]:
    """(country, added, changed, removed) summed over the places of each country."""
    totals: dict[str, list[int]] = {}
    for change in changes:
        row = totals.setdefault(change.country, [0, 0, 0])
        row[0] += change.added
        row[1] += change.changed
        row[2] += change.removed
    return [(country, added, changed, removed) for country, (added, changed, removed) in sorted(totals.items())]


def for_place(changes: list[SeriesChange], location: Location) -> list[SeriesChange]:
    return [change for change in changes if change.location_key == location.key]


def releases_changing(location: Location, *, limit: int = 30) -> list[Release]:
    """The latest releases that wrote any value of the place (current or replaced since)."""
    written = set(Observation.objects.filter(location=location).values_list("release_id", flat=True).distinct())
    written |= set(ObservationHistory.objects.filter(location=location).values_list("release_id", flat=True))
    return list(Release.objects.filter(pk__in=written).order_by("-number")[:limit])


# The SQL interpolates only model table names; the release goes as a parameter.
def _read(release: Release) -> list[SeriesChange]:
    obs, hist = Observation._meta.db_table, ObservationHistory._meta.db_table
    sql = (
        "SELECT location_id, metric_id, SUM(added), SUM(changed), SUM(removed), MIN(date), MAX(date) FROM ("  # noqa: S608
        "SELECT location_id, metric_id, date, 0 AS added, "
        "CASE WHEN new_value IS NULL THEN 0 ELSE 1 END AS changed, "
        f"CASE WHEN new_value IS NULL THEN 1 ELSE 0 END AS removed FROM {hist} WHERE release_id = %s "
        "UNION ALL SELECT k.location_id, k.metric_id, k.date, 1, 0, 0 FROM ("
        f"SELECT location_id, metric_id, date FROM {obs} WHERE release_id = %s "
        f"UNION SELECT location_id, metric_id, date FROM {hist} WHERE old_release_id = %s) k "
        f"WHERE NOT EXISTS (SELECT 1 FROM {hist} h WHERE h.release_id = %s AND h.location_id = k.location_id "
        "AND h.metric_id = k.metric_id AND h.date = k.date)"
        ") c GROUP BY location_id, metric_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [release.pk] * 4)
        rows = cursor.fetchall()
    places = {
        pk: (key, name, code)
        for pk, key, name, code in Location.objects.filter(pk__in={r[0] for r in rows}).values_list(
            "pk", "key", "name", "country_code"
        )
    }
    metrics = dict(Metric.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "code"))
    changes = []
    for location_id, metric_id, added, changed, removed, first, last in rows:
        key, name, code = places.get(location_id, (str(location_id), str(location_id), ""))
        changes.append(
            SeriesChange(
                location_key=key,
                location_name=name,
                country=(code or key.split("_", 1)[0]).upper(),
                metric=metrics.get(metric_id, str(metric_id)),
                added=int(added),
                changed=int(changed),
                removed=int(removed),
                first_date=_iso(first),
                last_date=_iso(last),
            )
        )
    return sorted(changes, key=lambda change: (change.location_key, change.metric))


def _iso(day: object) -> str:
    return date.fromisoformat(str(day)[:10]).isoformat()
