"""The snapshot's rows a part at a time, for the files the follow-up writes whole (finishing.py): the
Parquet file from windows of dates in the tidy order, the JHU files one metric at a time, so that the
memory they take stays about a window's or a metric's, not the whole table's (2.5 GB at 10M values).
"""

from collections.abc import Iterator

import numpy as np

from .. import snapshots
from ..keys import LOCATION_SHIFT, METRIC_SHIFT, split_keys
from .ends import Ends, cut
from .table import Lookups, Table, from_snapshot

WINDOW_ROWS = 1_000_000  # about this many rows per window of dates


def _days(keys: np.ndarray) -> np.ndarray:
    days: np.ndarray = (keys & ((1 << METRIC_SHIFT) - 1)).astype("int32")
    return days


def tidy_parts(values: "snapshots.Values", lookups: Lookups, ends: Ends) -> Iterator[Table]:
    """The snapshot in the tidy order (from_snapshot, cut at the series' ends), window of dates after window:
    the tidy order sorts by date first, so the windows one after another are the whole table's order."""
    keys = np.asarray(values.keys)
    if not len(keys):
        return
    days = _days(keys)
    first, last = int(days.min()), int(days.max())
    per_day = max(len(keys) // (last - first + 1), 1)
    step = max(WINDOW_ROWS // per_day, 1)
    for start in range(first, last + 1, step):
        rows = np.flatnonzero((days >= start) & (days < start + step))
        if len(rows):
            part = from_snapshot(
                keys[rows], np.asarray(values.values)[rows], np.asarray(values.source_ids)[rows], lookups
            )
            yield cut(part, ends)


def metric_tables(values: "snapshots.Values", ends: Ends, metrics: set[int] | None) -> Iterator[Table]:
    """The rows of each metric (of `metrics`, or all) in key order, cut at the series' ends."""
    keys = np.asarray(values.keys)
    metric_ids = (keys >> METRIC_SHIFT) & ((1 << (LOCATION_SHIFT - METRIC_SHIFT)) - 1)
    for metric in sorted(metrics if metrics is not None else set(np.unique(metric_ids).tolist())):
        rows = np.flatnonzero(metric_ids == metric)
        if len(rows):
            part = Table(*split_keys(keys[rows]), np.asarray(values.values)[rows], np.asarray(values.source_ids)[rows])
            yield cut(part, ends)
