"""What a release writes of its CSV when the previous release's manifest is usable (a Plan): the rows
of the groups (a date and a block of locations: segments.py) it formats, the segments it patches, and
the groups whose previous segments it drops.

Two ways to the same plan:
- `from_delta`, the usual one: the release's values are the previous release's whole snapshot plus a
  delta (dataset/snapshot_deltas.py), and that snapshot has its tidy index (tidy_index.py). The changed
  keys are the delta's, a changed value's segment and line come from the index, and only the groups
  where values were added or removed are read and formatted whole: the cost follows what changed.
- `segment_rows` and the functions after it (changes.py's fallback, when there is no index): the
  changed groups' rows, found by a vectorised mask over every key; their pieces are cut by position
  (segments.segment_ids), so each changed group is read whole to know where each row falls.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .. import snapshots
from ..keys import split_keys
from . import segments
from .cells import csv_rows
from .ends import Ends, after_end
from .patching import line_of, table_keys
from .table import Lookups, Table, from_snapshot, tidy_order
from .tidy_index import TidyIndex


@dataclass
class Plan:
    """`table`: the rows to format; `dropped`: the groups whose previous segments are dropped (their rows
    moved), the previous release's other segments being kept (None: none kept, every row is in `table`);
    `segments`: those of `table` to write (None: all), `patched`: the new text of segments patched;
    `metrics`: the metrics with changes (None: all); `used`: the source and location ids the CSV holds
    (the Data Package lists them)."""

    table: Table
    used: tuple[list[int], list[int]]
    dropped: set[int] | None = None
    segments: set[int] | None = None
    patched: dict[int, bytes] = field(default_factory=dict)
    metrics: set[int] | None = None


def from_delta(
    old: "snapshots.Values",
    new: "snapshots.Values",
    index: TidyIndex,
    lookups: Lookups,
    ends: Ends,
    old_text: Callable[[int], bytes | None],
) -> Plan:
    """The plan of a release whose values `new` are `old` (the previous release's whole snapshot, `index`
    its tidy index) plus a delta; `old_text`: a segment's text in the previous release (None: none)."""
    assert new.delta is not None
    candidates = np.union1d(new.delta.keys, new.delta.removed)
    old_known, old_values, old_sources = old.find(candidates)
    new_known, new_values, new_sources = new.find(candidates)
    both = old_known & new_known
    differ = (old_known != new_known) | (both & ((old_values != new_values) | (old_sources != new_sources)))
    changed = candidates[differ]
    days, location_ids, metric_ids = split_keys(changed)
    metrics = set(np.unique(metric_ids).tolist())
    ended = after_end(days, location_ids, metric_ids, ends)
    in_csv = np.flatnonzero(differ)[~ended] if ended is not None else np.flatnonzero(differ)
    if ended is not None:
        days, location_ids, metric_ids = days[~ended], location_ids[~ended], metric_ids[~ended]
    keys = candidates[in_csv]
    groups = segments.group_ids(days, location_ids, lookups)
    was, now = old_known[in_csv], new_known[in_csv]
    whole = set(np.unique(groups[was != now]).tolist())  # values added or removed: rows moved
    used = _used(index, location_ids, was, now, old_sources[in_csv], new_sources[in_csv])
    rows = np.flatnonzero(was & now & ~np.isin(groups, list(whole)))
    located = _locate(old, index, keys[rows], groups[rows])
    whole |= set(np.unique(groups[rows][located[:, 0] < 0]).tolist())  # not in the index: read whole
    patched, failed = _patch(
        Table(days[rows], location_ids[rows], metric_ids[rows], new_values[in_csv][rows], new_sources[in_csv][rows]),
        located,
        lookups,
        old_text,
    )
    whole |= failed
    table = _group_rows(old, new, index, lookups, whole, keys[now], groups[now])
    ids = segments.segment_ids(table, lookups)
    patched = {
        segment: text for segment, text in patched.items() if segment - segment % segments.BLOCK_FACTOR not in whole
    }
    return Plan(
        table=table,
        used=used,
        dropped=whole,
        segments=set(np.unique(ids).tolist()),
        patched=patched,
        metrics=metrics,
    )


def _used(
    index: TidyIndex,
    location_ids: np.ndarray,
    was: np.ndarray,
    now: np.ndarray,
    old_sources: np.ndarray,
    new_sources: np.ndarray,
) -> tuple[list[int], list[int]]:
    """The source and location ids of the release's CSV: the index's counts with the changes applied."""
    size = max(len(index.location_counts), int(location_ids.max()) + 1 if len(location_ids) else 0)
    locations = np.zeros(size, dtype="int64")
    locations[: len(index.location_counts)] = index.location_counts
    np.add.at(locations, location_ids, now.astype("int64") - was.astype("int64"))
    top = max([len(index.source_counts)] + [int(a.max()) + 1 for a in (old_sources, new_sources) if len(a)])
    sources = np.zeros(top, dtype="int64")
    sources[: len(index.source_counts)] = index.source_counts
    np.add.at(sources, old_sources[was], -1)
    np.add.at(sources, new_sources[now], 1)
    return np.flatnonzero(sources > 0).tolist(), np.flatnonzero(locations > 0).tolist()


def _locate(old: "snapshots.Values", index: TidyIndex, keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """[segment, line in the segment, lines in the segment] of each of `keys` (values of `old` in
    `groups`, whose rows did not change); -1 where the index does not place it."""
    out = np.full((len(keys), 3), -1, dtype="int64")
    if not len(keys):
        return out
    rank = np.asarray(index.rank)[old.lookup(keys)].astype("int64")
    at, ok = _in_index(index, groups)
    ok &= rank >= 0
    start = np.asarray(index.starts)[at]
    size = np.asarray(index.starts)[at + 1] - start
    ok &= (rank >= start) & (rank < start + size)
    position = np.where(ok, rank - start, 0)
    size = np.maximum(size, 1)
    pieces = np.minimum(-(-size // segments.SEGMENT_ROWS), segments.BLOCK_FACTOR)  # as segments.segment_ids
    piece = position * pieces // size
    first = -(-(piece * size) // pieces)
    after = -(-((piece + 1) * size) // pieces)
    out[ok] = np.stack([groups + piece, position - first, after - first], axis=1)[ok]
    return out


def _in_index(index: TidyIndex, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position of each group in the index's groups, clipped; whether the index has it)."""
    if not len(index.groups):
        return np.zeros(len(groups), dtype=np.intp), np.zeros(len(groups), dtype=bool)
    at = np.minimum(np.searchsorted(index.groups, groups), len(index.groups) - 1)
    known: np.ndarray = np.asarray(index.groups)[at] == groups
    return at, known


def _patch(
    part: Table, located: np.ndarray, lookups: Lookups, old_text: Callable[[int], bytes | None]
) -> tuple[dict[int, bytes], set[int]]:
    """The new text of the segments holding `part`'s rows (values changed, lines in place: `located`),
    and the groups where a segment's text is not what the index says (formatted whole instead)."""
    rows = np.flatnonzero(located[:, 0] >= 0)
    fields = list(csv_rows(part.take(rows).frame(lookups))) if len(rows) else []
    by_segment: dict[int, list[int]] = {}
    for i, row in enumerate(rows.tolist()):
        by_segment.setdefault(int(located[row, 0]), []).append(i)
    patched: dict[int, bytes] = {}
    failed: set[int] = set()
    for segment, members in by_segment.items():
        text = old_text(segment)
        lines = text.split(b"\n") if text is not None else []
        for i in members:
            line, count = (int(v) for v in located[rows[i], 1:])
            if len(lines) != count + 1 or lines[-1] != b"" or not _same_row(lines[line], fields[i]):
                failed.add(segment - segment % segments.BLOCK_FACTOR)
                break
            lines[line] = line_of(fields[i])
        else:
            patched[segment] = b"\n".join(lines)
    return patched, failed


def _same_row(line: bytes, row: tuple[str, ...]) -> bool:
    """Whether a CSV line is the row's (its date, place and metric: the value and source may differ)."""
    try:
        parsed = next(csv.reader([line.decode("utf-8")]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return False
    return parsed[:4] == list(row[:4])


def _group_rows(
    old: "snapshots.Values",
    new: "snapshots.Values",
    index: TidyIndex,
    lookups: Lookups,
    groups: set[int],
    written: np.ndarray,
    written_groups: np.ndarray,
) -> Table:
    """The release's rows of `groups`, in the tidy order: the index's rows of each (the old snapshot's)
    and the keys the release `written` in them (added, or changed where the index did not place them),
    less those it removed."""
    chosen = np.array(sorted(groups), dtype="int64")
    at, known = _in_index(index, chosen)
    starts, ends_ = np.asarray(index.starts)[at[known]], np.asarray(index.starts)[at[known] + 1]
    order = np.asarray(index.order)
    positions = np.concatenate(
        [order[s:e] for s, e in zip(starts.tolist(), ends_.tolist(), strict=True)] or [order[:0]]
    )
    keys = np.unique(  # sorted by key: a series after another, as the tidy order reads fastest
        np.concatenate([np.asarray(old.base[0])[positions.astype("int64")], written[np.isin(written_groups, chosen)]])
    )
    present, values, sources = new.find(keys)
    keys = keys[present]
    return tidy_order((*split_keys(keys), values[present], sources[present]), lookups)


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
