"""Where each value of a whole value snapshot falls in the tidy CSV, kept beside the snapshot.

A release's CSV is cut into segments by position: a group's (a date and a block of locations) rows in the
tidy order, in even pieces (segments.py). To rewrite only the pieces a release changed, the release must
know, for a changed value, its position in its group and the group's size; without this index that means
reading and sorting every row of every changed group, which grows with the dataset (a 1,000-value release
touches about a thousand groups, of 125 rows each at 1M values and 1,250 at 10M).

The index is built once per whole snapshot by the follow-up of a release (finishing.py), for the names
the files print and the series' ends as they were then (the lookups' fingerprint names it), and read by
the next release (incremental.py), whose values are that snapshot plus a delta:

- `order`: the snapshot's positions of the CSV's rows, in the CSV's order (rows after their series' end
  are not in the CSV, so not here);
- `rank`: each snapshot row's position in `order`, -1 when it is not in the CSV;
- `groups` and `starts`: the groups (segments.group_ids), sorted, and where each begins in `order`;
- `location_counts`, `source_counts`: the CSV's rows per location id and per source id (what the Data
  Package lists).
"""

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import snapshots
from ..keys import split_keys
from ..snapshot_deltas import save_folder
from . import segments
from .ends import Ends, after_end
from .table import Lookups, tidy_permutation

logger = logging.getLogger(__name__)

ARRAYS = ("order", "rank", "groups", "starts", "location_counts", "source_counts")


@dataclass
class TidyIndex:
    order: np.ndarray
    rank: np.ndarray
    groups: np.ndarray
    starts: np.ndarray
    location_counts: np.ndarray
    source_counts: np.ndarray


def folder(values: "snapshots.Values", lookups: Lookups) -> Path | None:
    """Where the index of `values` (a whole snapshot kept on disk) for `lookups` is kept."""
    if values.delta is not None or values.directory is None:
        return None
    return values.directory / f"tidy-{segments.LAYOUT}-{segments.SEGMENT_ROWS}-{lookups.fingerprint[:24]}"


def load(values: "snapshots.Values", lookups: Lookups) -> TidyIndex | None:
    """The index of `values` for `lookups` when it was built (memory-mapped), else None."""
    directory = folder(values, lookups)
    if directory is None:
        return None
    try:
        return TidyIndex(*(np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS))
    except (OSError, ValueError):
        return None


def ensure(values: "snapshots.Values", lookups: Lookups, ends: Ends) -> bool:
    """Build and keep the index of `values` (a whole snapshot) for `lookups` and `ends` unless it is there;
    whether it is there now."""
    directory = folder(values, lookups)
    if directory is None:
        return False
    if directory.is_dir():
        return True
    arrays = _arrays(np.asarray(values.keys), np.asarray(values.source_ids), lookups, ends)
    if arrays is None:
        return False
    try:
        save_folder(directory, arrays)
    except OSError:  # the snapshot was removed meanwhile, or a full disk: the next release reads more
        logger.exception("Could not keep the tidy index of release %s", values.release)
        return False
    return True


def _arrays(keys: np.ndarray, source_ids: np.ndarray, lookups: Lookups, ends: Ends) -> dict[str, np.ndarray] | None:
    days, location_ids, metric_ids = split_keys(keys)
    order = tidy_permutation(days, location_ids, metric_ids, lookups)
    ended = after_end(days, location_ids, metric_ids, ends)
    if ended is not None:
        order = order[~ended[order]]
    rank = np.full(len(keys), -1, dtype="int64")
    rank[order] = np.arange(len(order))
    kept_locations = location_ids[order]
    row_groups = segments.group_ids(days[order], kept_locations, lookups)
    if len(row_groups) and not bool((row_groups[1:] >= row_groups[:-1]).all()):
        return None  # a location the lookups do not know (sorted last): the release reads its groups
    starts = np.flatnonzero(np.concatenate(([True], row_groups[1:] != row_groups[:-1]))) if len(order) else order
    groups = row_groups[starts]
    small = np.int32 if len(keys) < 2**31 else np.int64
    return {
        "order": order.astype(small),
        "rank": rank.astype(small),
        "groups": groups,
        "starts": np.append(starts, len(order)).astype("int64"),
        "location_counts": np.bincount(kept_locations),
        "source_counts": np.bincount(source_ids[order]) if len(order) else np.zeros(0, dtype="int64"),
    }
