"""The rows a release formats when the previous release's manifest is usable: those of the changed
segments only, found by a vectorised mask over the value snapshot's keys (no sort of the dataset, no
text formatting of its unchanged rows), and the order of the release's segments from the manifest.

A segment is a date and a block of locations (segments.py); its rows are the snapshot's keys with that
day and a location of that block, so a two-dimensional table of wanted (day, block) pairs picks them.
"""

import numpy as np

from .. import snapshots
from ..keys import split_keys
from . import segments
from .segments import Manifest
from .table import Lookups, Table, from_snapshot


def _blocks(lookups: Lookups, location_ids: np.ndarray) -> np.ndarray:
    """Each location's block (-1 for an id the lookups do not know)."""
    known = lookups.location_key.index.to_numpy().astype("int64")
    size = max(int(known.max()) if len(known) else 0, int(location_ids.max()) if len(location_ids) else 0) + 1
    block_of = np.full(size, -1, dtype="int64")
    starts = np.array(segments.BLOCK_STARTS)
    block_of[known] = np.searchsorted(starts, lookups.location_key.to_numpy().astype(str), side="right") - 1
    blocks: np.ndarray = block_of[location_ids]
    return blocks


def segment_rows(values: "snapshots.Values", lookups: Lookups, wanted: set[int]) -> Table:
    """The snapshot's rows in the `wanted` segments, in the tidy order."""
    keys = np.asarray(values.keys)
    if not wanted or not len(keys):
        return from_snapshot(keys[:0], np.asarray(values.values)[:0], np.asarray(values.source_ids)[:0], lookups)
    days, location_ids, _ = split_keys(keys)
    chosen = np.array(sorted(wanted), dtype="int64")
    wanted_days, wanted_blocks = chosen // segments.DAY_FACTOR, chosen % segments.DAY_FACTOR
    first = int(wanted_days.min())
    table = np.zeros((int(wanted_days.max()) - first + 1, len(segments.BLOCK_STARTS)), dtype=bool)
    table[wanted_days - first, wanted_blocks] = True
    day_index = days - first
    rows = np.flatnonzero((day_index >= 0) & (day_index < len(table)))
    blocks = _blocks(lookups, location_ids[rows])
    rows = rows[(blocks >= 0) & table[day_index[rows], np.maximum(blocks, 0)]]
    return from_snapshot(keys[rows], np.asarray(values.values)[rows], np.asarray(values.source_ids)[rows], lookups)


def unordered(values: "snapshots.Values") -> Table:
    """The whole snapshot as a table in key order (not the tidy order): what the Data Package counts."""
    return Table(
        *split_keys(values.keys),
        np.asarray(values.values),
        np.asarray(values.source_ids),
    )


def segment_order(before: Manifest, changed: set[int], subset_ids: np.ndarray) -> list[int]:
    """The release's segments in order: the previous release's that did not change, and the changed ones
    that still have rows (`subset_ids`: the segment of each row formatted)."""
    kept = {entry[0] for entry in before["segments"] if entry[0] != segments.HEADER_ID} - changed
    return sorted(kept | set(np.unique(subset_ids).tolist()))
