"""Series that ended, in a release's files: the values dated on or after a series' end are left out.

The pages, charts and the API leave out the values after a "no longer reported" mark (dataset/ended.py):
JHU's zeros after it stopped counting are not data. The tidy CSV, Parquet and JHU files of a release
leave them out too (a JHU file's cell is then empty), with the marks recorded when the release's files
were built, so `export_dataset --release N` writes the same files again; errata.csv lists the marks.
"""

import dataclasses
import hashlib
from datetime import date, datetime

import numpy as np

from ..ended import NO_LONGER_REPORTED
from ..keys import LOCATION_SHIFT, METRIC_SHIFT
from ..models import Erratum, Release
from .table import Lookups, Table

Ends = dict[tuple[int, int], date]


def ends_of(release: Release | None, *, at: datetime | None = None) -> Ends:
    """{(location id, metric id): first date without data} of the marks recorded when `release`'s files
    were built (`at`, or its exports_built_at: marks the import that made it adds come after the
    release itself, before its files), all of them when None (the current dataset)."""
    marks = Erratum.objects.filter(kind=NO_LONGER_REPORTED)
    if release is not None:
        marks = marks.filter(created_at__lte=at or release.exports_built_at or release.created_at)
    return {(loc, metric): start for loc, metric, start in marks.values_list("location_id", "metric_id", "start")}


def cut(table: Table, ends: Ends) -> Table:
    """The table without the rows dated on or after their series' end."""
    if not ends or not len(table):
        return table
    ended = after_end(table.days, table.location_ids, table.metric_ids, ends)
    if ended is None:
        return table
    return table.take(np.flatnonzero(~ended))


def after_end(days: np.ndarray, location_ids: np.ndarray, metric_ids: np.ndarray, ends: Ends) -> np.ndarray | None:
    """Whether each row (its day, location and metric) is dated on or after its series' end; None when none is."""
    if not ends or not len(days):
        return None
    marked = np.array([(loc << LOCATION_SHIFT) | (metric << METRIC_SHIFT) for loc, metric in ends], dtype="int64")
    first_days = np.array([np.datetime64(start, "D").astype("int64") for start in ends.values()], dtype="int64")
    order = np.argsort(marked)
    marked, first_days = marked[order], first_days[order]
    # Only rows of a marked place are looked up (an array indexed by location id: one pass).
    places = np.zeros(max(int(location_ids.max()), max(loc for loc, _ in ends)) + 1, dtype=bool)
    places[[loc for loc, _ in ends]] = True
    rows = np.flatnonzero(places[location_ids])
    if not len(rows):
        return None
    series = (location_ids[rows].astype("int64") << LOCATION_SHIFT) | (metric_ids[rows].astype("int64") << METRIC_SHIFT)
    position = np.minimum(np.searchsorted(marked, series), len(marked) - 1)
    ended_rows = (marked[position] == series) & (days[rows] >= first_days[position])
    if not ended_rows.any():
        return None
    ended = np.zeros(len(days), dtype=bool)
    ended[rows[ended_rows]] = True
    return ended


def with_ends(lookups: Lookups, ends: Ends) -> Lookups:
    """The lookups with the marks in their fingerprint: a release whose marks differ from the release
    before writes its files again in full (a mark removes rows whose values did not change)."""
    if not ends:
        return lookups
    digest = hashlib.sha256(lookups.fingerprint.encode())
    digest.update(repr(sorted(ends.items())).encode())
    return dataclasses.replace(lookups, fingerprint=digest.hexdigest())
