"""The countries index's summaries, read from the value snapshot of the latest release.

The snapshot (dataset/snapshots.py) holds every current value sorted by key, so each series' newest
value is the last of its run: the summaries need no query on the observations at all (a probe per
country and metric, and a scan for the sources, took seconds right after a release on a large
dataset). Per metric, a country's own newest value; where it has none but its regions do (JHU
publishes Canada's, China's and Australia's cases only per province), the sum of its regions' values
on their newest date, marked in `from_regions`. Values after a series' end (dataset/ended.py) are not
data.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from places.models import Location

from . import ended, snapshots
from .keys import LOCATION_SHIFT, METRIC_SHIFT, series_starts

EPOCH = date(1970, 1, 1)
DAY_MASK = (1 << METRIC_SHIFT) - 1
METRIC_MASK = (1 << (LOCATION_SHIFT - METRIC_SHIFT)) - 1


@dataclass
class Newest:
    """Each series' newest value (location, metric, day number, value), and the (location, source)
    pairs of every value."""

    series: list[tuple[int, int, int, float]]
    sources: set[tuple[int, int]]


def newest_values(values: snapshots.Values, ends: dict[tuple[int, int], date]) -> Newest:
    """From positions kept next to the snapshot (each series' last value, each run of one location and
    source), so that the summaries do not grow with the dataset; values on or after an ended series'
    end are skipped (a search per ended series)."""
    keys = values.keys
    last = snapshots.derived(values, "series_last", _series_last)
    runs = snapshots.derived(values, "location_source_runs", _location_source_runs)
    newest_keys = np.array(keys[last], dtype="int64")
    for (location_id, metric_id), start in ends.items():
        base = (location_id << LOCATION_SHIFT) | (metric_id << METRIC_SHIFT)
        at = np.searchsorted(newest_keys >> METRIC_SHIFT, base >> METRIC_SHIFT)
        if at == len(newest_keys) or newest_keys[at] >> METRIC_SHIFT != base >> METRIC_SHIFT:
            continue
        before = int(np.searchsorted(keys, base | (start - EPOCH).days)) - 1
        last[at] = before if before >= 0 and keys[before] >> METRIC_SHIFT == base >> METRIC_SHIFT else -1
    last = last[last >= 0]
    newest = np.array(keys[last], dtype="int64")
    series = list(
        zip(
            (newest >> LOCATION_SHIFT).tolist(),
            ((newest >> METRIC_SHIFT) & METRIC_MASK).tolist(),
            (newest & DAY_MASK).tolist(),
            np.asarray(values.values[last]).tolist(),
            strict=True,
        )
    )
    locations = (np.array(keys[runs], dtype="int64") >> LOCATION_SHIFT).tolist()
    return Newest(series, set(zip(locations, np.asarray(values.source_ids[runs]).tolist(), strict=True)))


def _series_last(values: snapshots.Values) -> np.ndarray:
    """The position of each series' last (newest) value."""
    if not len(values.keys):
        return np.zeros(0, dtype="int64")
    starts = series_starts(np.asarray(values.keys))
    last: np.ndarray = np.append(starts[1:], len(values.keys)).astype("int64") - 1
    return last


def _location_source_runs(values: snapshots.Values) -> np.ndarray:
    """Where each run of one location and source begins (a few per series)."""
    if not len(values.keys):
        return np.zeros(0, dtype="int64")
    locations = np.asarray(values.keys) >> LOCATION_SHIFT
    sources = np.asarray(values.source_ids)
    run = np.flatnonzero((locations[1:] != locations[:-1]) | (sources[1:] != sources[:-1])) + 1
    starts: np.ndarray = np.concatenate(([0], run)).astype("int64")
    return starts


def places_with_data() -> set[int]:
    """The ids of the places that have values in the latest release."""
    values = snapshots.current()
    runs = snapshots.derived(values, "location_source_runs", _location_source_runs)
    return set((np.array(values.keys[runs], dtype="int64") >> LOCATION_SHIFT).tolist())


def country_summaries(metrics, summary_class) -> list:
    """`summary_class(country, latest date, {metric code: value}, source count, summed codes)` for every
    country with data, its own or its regions'."""
    newest = newest_values(snapshots.current(), ended.end_dates())
    places = {pk: (parent_id, level) for pk, parent_id, level in Location.objects.values_list("pk", "parent", "level")}
    codes = {metric.pk: metric.code for metric in metrics}
    with_data = {location_id for location_id, _, _, _ in newest.series}
    latest: dict[int, dict[str, tuple[date, float]]] = defaultdict(dict)
    for location_id, metric_id, day, number in newest.series:
        if metric_id in codes:
            latest[location_id][codes[metric_id]] = (EPOCH + timedelta(days=day), number)
    countries = Location.objects.filter(level=Location.Level.COUNTRY)
    country_ids = {pk for pk, (_, level) in places.items() if level == Location.Level.COUNTRY}
    summed_into = _summable(places, with_data, country_ids)
    regional = _regional_latest(latest, summed_into)
    with_regions = set(summed_into.values())
    pairs: set[tuple[int | None, int]] = {(loc, src) for loc, src in newest.sources if loc in country_ids}
    pairs |= {(places[loc][0], src) for loc, src in newest.sources if places.get(loc, (None,))[0] in with_regions}
    source_counts: dict[int | None, int] = defaultdict(int)
    for place_id, _ in pairs:
        source_counts[place_id] += 1
    rows = []
    for country in countries:
        values: dict[str, float | None] = {}
        dates: list[date] = []
        summed: list[str] = []
        own = latest.get(country.pk, {})
        for metric in metrics:
            newest_day, value = own.get(metric.code) or (None, None)
            if newest_day is None and metric.code in regional.get(country.pk, {}):
                newest_day, value = regional[country.pk][metric.code]
                summed.append(metric.code)
            values[metric.code] = value
            if newest_day is not None:
                dates.append(newest_day)
        if dates:
            rows.append(summary_class(country, max(dates), values, source_counts[country.pk], summed))
    return rows


def _summable(places: dict, with_data: set[int], country_ids: set[int]) -> dict[int, int]:
    """{place id: country id} of the places whose values add up to a country's: its regions with data
    and, under a region with no data of its own, that region's subdivisions with data."""
    summed: dict[int, int] = {}
    for pk in with_data:
        parent_id = places.get(pk, (None, None))[0]
        if parent_id in country_ids:
            summed[pk] = parent_id
        elif parent_id is not None and parent_id not in with_data:
            grandparent = places.get(parent_id, (None, None))[0]
            if grandparent in country_ids:
                summed[pk] = grandparent
    return summed


def _regional_latest(latest: dict, summed_into: dict[int, int]) -> dict[int, dict[str, tuple[date, float]]]:
    """{country id: {metric code: (newest date, sum of the regions' values on that date)}}."""
    points: dict[int, dict[str, list[tuple[date, float]]]] = defaultdict(lambda: defaultdict(list))
    for pk, country_id in summed_into.items():
        for code, pair in latest.get(pk, {}).items():
            points[country_id][code].append(pair)
    out: dict[int, dict[str, tuple[date, float]]] = {}
    for country_id, by_metric in points.items():
        for code, pairs in by_metric.items():
            newest = max(day for day, _ in pairs)
            out.setdefault(country_id, {})[code] = (newest, sum(v for day, v in pairs if day == newest))
    return out
