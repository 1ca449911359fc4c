"""What a release writes of its CSV, from what changed since the release before (an incremental.Plan).

- No previous release with files, or one written for other lookups or another cut of segments: every
  row is formatted (equal segments are still kept, not stored twice: release.py).
- The usual case: the release's values are the previous release's whole snapshot plus a delta, and
  that snapshot has its tidy index: incremental.from_delta, at the cost of what changed.
- Otherwise (no index yet: the first release after an upgrade, or the follow-up was behind): the two
  releases' whole snapshots are compared, and the changed groups read whole.
"""

from collections.abc import Callable

import numpy as np

from .. import snapshots
from ..models import Release
from ..snapshot_deltas import contains
from . import incremental, segments, tidy_index
from .datapackage import used_ids
from .ends import Ends, cut
from .manifests import Listing, Manifest
from .patching import patch_segments, table_keys
from .table import Lookups, from_snapshot


def plan(
    previous: Release | None,
    values: "snapshots.Values",
    before: Manifest | None,
    listing: Listing,
    lookups: Lookups,
    ends: Ends,
    old_text: Callable[[int], bytes | None],
) -> incremental.Plan:
    """What the release with `values` writes of its CSV; `previous`, `before`, `listing`: the last release
    with files, its manifest and its segments; `old_text`: a segment's text in that release (None: none)."""
    old = snapshots.load(previous) if previous is not None and before is not None and _usable(before, lookups) else None
    if old is None:
        table = cut(from_snapshot(values.keys, values.values, values.source_ids, lookups), ends)
        return incremental.Plan(table=table, used=used_ids(table))
    assert before is not None
    index = None
    if values.delta is not None and old.delta is None and values.base_directory == old.directory:
        index = tidy_index.load(old, lookups)
    if index is not None:
        return incremental.from_delta(old, values, index, lookups, ends, old_text)
    return _from_whole(old, values, lookups, ends, listing, old_text)


def _usable(before: Manifest, lookups: Lookups) -> bool:
    """Whether the previous release's segments can be reused: same names printed, same cut."""
    return (
        before.get("fingerprint") == lookups.fingerprint
        and before.get("layout", 1) == segments.LAYOUT
        and before.get("segment_rows") == segments.SEGMENT_ROWS
    )


def _from_whole(
    old: "snapshots.Values",
    values: "snapshots.Values",
    lookups: Lookups,
    ends: Ends,
    listing: Listing,
    old_text: Callable[[int], bytes | None],
) -> incremental.Plan:
    old_keys = np.asarray(old.keys)
    changed = changed_keys(old_keys, np.asarray(old.values), np.asarray(old.source_ids), values)
    kept = contains(old_keys, changed)[1] & contains(np.asarray(values.keys), changed)[1]
    part = from_snapshot(changed, np.zeros(len(changed)), np.zeros(len(changed), dtype="int64"), lookups)
    part_groups = segments.group_ids(part.days, part.location_ids, lookups)
    modified = np.sort(changed[kept])
    part_kept = contains(modified, table_keys(part, np.arange(len(part))))[1]
    groups = set(np.unique(part_groups).tolist())
    structural = set(np.unique(part_groups[~part_kept]).tolist())
    table = cut(incremental.segment_rows(values, lookups, groups), ends)
    ids = segments.segment_ids(table, lookups)
    rewritten, patchable = incremental.changed_pieces(table, ids, structural, modified)
    reused = {segment for segment in patchable if segment in listing}
    patched = patch_segments(table, lookups, ids, reused, modified, lambda segment: old_text(segment) or b"")
    return incremental.Plan(
        table=table,
        used=used_ids(cut(incremental.unordered(values), ends)),
        dropped=structural,
        segments=rewritten,
        patched=patched,
        metrics=set(part.metric_ids.tolist()),
    )


def changed_keys(keys: np.ndarray, values: np.ndarray, source_ids: np.ndarray, new: "snapshots.Values") -> np.ndarray:
    """Keys added, removed, or with another value or source in `new` than in the sorted (keys, values, source_ids)."""
    new_keys, new_values, new_sources = (np.asarray(a) for a in (new.keys, new.values, new.source_ids))
    if len(keys) == len(new_keys) and np.array_equal(keys, new_keys):
        same_keys: np.ndarray = keys[(values != new_values) | (source_ids != new_sources)]
        return same_keys
    position = np.minimum(np.searchsorted(keys, new_keys), max(len(keys) - 1, 0))
    found = (keys[position] == new_keys) if len(keys) else np.zeros(len(new_keys), dtype=bool)
    differ = ~found
    differ[found] = (values[position[found]] != new_values[found]) | (source_ids[position[found]] != new_sources[found])
    back = np.minimum(np.searchsorted(new_keys, keys), max(len(new_keys) - 1, 0))
    gone = (new_keys[back] != keys) if len(new_keys) else np.ones(len(keys), dtype=bool)
    changed: np.ndarray = np.concatenate([new_keys[differ], keys[gone]])
    return changed
