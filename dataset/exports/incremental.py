"""The rows a release formats when the previous release's manifest is usable: those of the groups (a date
and a block of locations: segments.py) where values changed, found by a vectorised mask over the value
snapshot's keys (no sort of the dataset, no text formatting of its unchanged rows), the pieces of those
groups to write again, and the order of the release's segments from the manifest.

A group's rows are the snapshot's keys with its day and a location of its block, so a two-dimensional
table of wanted (day, block) pairs picks them; its pieces are cut by position (segments.segment_ids),
so the whole group is read to know where each row falls.
"""

import numpy as np

from .. import snapshots
from ..keys import split_keys
from . import segments
from .manifests import Manifest
from .patching import table_keys
from .table import Lookups, Table, from_snapshot


def segment_rows(values: "snapshots.Values", lookups: Lookups, groups: set[int]) -> Table:
    """The snapshot's rows in the `groups` (segments.group_ids), in the tidy order."""
    keys = np.asarray(values.keys)
    if not groups or not len(keys):
        return from_snapshot(keys[:0], np.asarray(values.values)[:0], np.asarray(values.source_ids)[:0], lookups)
    days, location_ids, _ = split_keys(keys)
    chosen = np.array(sorted(groups), dtype="int64")
    wanted_days = chosen // segments.DAY_FACTOR
    wanted_blocks = chosen % segments.DAY_FACTOR // segments.BLOCK_FACTOR
    first = int(wanted_days.min())
    table = np.zeros((int(wanted_days.max()) - first + 1, len(segments.BLOCK_STARTS)), dtype=bool)
    table[wanted_days - first, wanted_blocks] = True
    day_index = days - first
    rows = np.flatnonzero((day_index >= 0) & (day_index < len(table)))
    blocks = segments.location_blocks(lookups, int(location_ids.max()) + 1)[location_ids[rows]]
    rows = rows[(blocks >= 0) & table[day_index[rows], np.maximum(blocks, 0)]]
    return from_snapshot(keys[rows], np.asarray(values.values)[rows], np.asarray(values.source_ids)[rows], lookups)


def changed_pieces(
    table: Table, ids: np.ndarray, structural: set[int], modified: np.ndarray
) -> tuple[set[int], set[int]]:
    """The segments to write again among the changed groups' (`table`, `ids`: their rows and segments):
    every piece of a group where values were added or removed (`structural`: its rows moved), and the
    pieces holding a `modified` key elsewhere, which can be patched (same rows, other values)."""
    in_structural = np.isin(segments.group_of(ids), np.array(sorted(structural), dtype="int64"))
    whole = set(np.unique(ids[in_structural]).tolist())
    rest = np.flatnonzero(~in_structural)
    hit = rest[np.isin(table_keys(table, rest), modified)]
    patchable = set(np.unique(ids[hit]).tolist())
    return whole | patchable, patchable


def unordered(values: "snapshots.Values") -> Table:
    """The whole snapshot as a table in key order (not the tidy order): what the Data Package counts."""
    return Table(
        *split_keys(values.keys),
        np.asarray(values.values),
        np.asarray(values.source_ids),
    )


def segment_order(before: Manifest, groups: set[int], ids: np.ndarray) -> list[int]:
    """The release's segments in order: the previous release's outside the changed `groups`, and the
    changed groups' that still have rows (`ids`: the segment of each of their rows)."""
    step = segments.BLOCK_FACTOR
    kept = {
        entry[0]
        for entry in before["segments"]
        if entry[0] != segments.HEADER_ID and entry[0] - entry[0] % step not in groups
    }
    return sorted(kept | set(np.unique(ids).tolist()))
