"""What a merge did, in words for the submitter and the audit log: counts, and the values it kept.

A merge leaves a value to its current source when that source has a higher priority and the
reviewer did not override it (review.services.priority_decision). Those values are counted and
named here, per source and series, so nobody has to guess which figures of a file did not land.
"""

from dataset.models import Release
from dataset.upsert import KeptSeries, UpsertResult, kept_by_source
from places.models import Location, Metric

# Series named one by one in a merge's note; beyond, the rest is counted (a world file against many
# official sources can keep values in thousands of series).
NAMED_SERIES = 200


def merge_note(release: Release, result: UpsertResult) -> str:
    """ "Release 12: 85 values added, 0 changed, 0 unchanged." then, when there are any, the values
    that now cite this source and the values kept from higher-priority sources, named."""
    lines = [
        f"Release {release.number}: {result.added:,} values added, {result.changed:,} changed, "
        f"{result.unchanged:,} unchanged."
    ]
    if result.reattributed:
        lines.append(
            f"{result.reattributed:,} unchanged values now cite this source, of higher priority than the one they "
            "came from."
        )
    if result.skipped:
        lines.append(kept_note(result.skipped, result.kept))
    return "\n".join(lines)


def kept_note(skipped: int, kept: list[KeptSeries]) -> str:
    """ "N values kept from higher-priority sources:" and, per source, its series (place, metric, dates, count)."""
    places = Location.objects.in_bulk({series.location_id for series in kept})
    metrics = Metric.objects.in_bulk({series.metric_id for series in kept})
    lines = [f"{skipped:,} values kept from higher-priority sources:"]
    named = 0
    for source, count in kept_by_source(kept):
        own = [series for series in kept if series.source_id == source.pk]
        shown = own[: max(NAMED_SERIES - named, 0)]
        named += len(shown)
        described = "; ".join(_series(series, places, metrics) for series in shown)
        rest = own[len(shown) :]
        if rest:
            more = f"{len(rest):,} more series ({sum(series.count for series in rest):,} values)"
            described = f"{described}; and {more}" if described else more
        lines.append(f"- {source.name} (priority {source.priority}), {count:,} values: {described}.")
    return "\n".join(lines)


def _series(series: KeptSeries, places: dict[int, Location], metrics: dict[int, Metric]) -> str:
    place = places.get(series.location_id)
    metric = metrics.get(series.metric_id)
    where = f"{place.name} ({place.key})" if place else f"location {series.location_id}"
    what = metric.code if metric else f"metric {series.metric_id}"
    when = (
        f"{series.first_date}"
        if series.first_date == series.last_date
        else (f"{series.first_date} to {series.last_date}")
    )
    return f"{where} {what} {when} ({series.count:,})"
