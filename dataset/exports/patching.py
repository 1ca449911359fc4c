"""Segments of the tidy CSV whose values changed but whose rows did not: the previous release's text
with only the changed rows' lines written again.

A release of a thousand values scattered over the dataset touches about a thousand segments; formatting
them whole costs as much as a tenth of the dataset, and more as it grows. A segment's rows are the
same when no value was added to it or removed from it, so its lines are where they were: the new text
is the old one with the changed lines replaced (the rows are found by their keys, each line is checked
to be its row's, and a segment that does not match is formatted whole by the caller).
"""

import csv
import io
from collections.abc import Callable

import numpy as np

from ..keys import LOCATION_SHIFT, METRIC_SHIFT
from .cells import csv_rows
from .table import Lookups, Table


def table_keys(table: Table, rows: np.ndarray) -> np.ndarray:
    """The observation keys (dataset/keys.py) of the table's `rows`."""
    keys: np.ndarray = (
        (table.location_ids[rows] << LOCATION_SHIFT) | (table.metric_ids[rows] << METRIC_SHIFT) | table.days[rows]
    )
    return keys


def patch_segments(
    table: Table,
    lookups: Lookups,
    ids: np.ndarray,
    segments: set[int],
    modified: np.ndarray,
    old_text: Callable[[int], bytes],
) -> dict[int, bytes]:
    """The new text of each of `segments` (same rows as before, some values `modified`: keys) that
    could be patched; `ids`: the table's segment ids (sorted); `old_text`: a segment's previous text."""
    if not segments or not len(modified) or not bool((ids[1:] >= ids[:-1]).all()):
        return {}
    wanted = np.array(sorted(segments), dtype=ids.dtype)
    starts, ends = np.searchsorted(ids, wanted, side="left"), np.searchsorted(ids, wanted, side="right")
    candidates = np.concatenate([np.arange(s, e) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)])
    rows = candidates[np.isin(table_keys(table, candidates), modified)]
    lines = _lines(table.take(rows), lookups)
    row_segments = ids[rows]
    out: dict[int, bytes] = {}
    for segment, start, end in zip(wanted.tolist(), starts.tolist(), ends.tolist(), strict=True):
        mine = np.flatnonzero(row_segments == segment) if len(rows) else np.zeros(0, dtype="int64")
        old = old_text(segment).split(b"\n")
        if not len(mine) or len(old) != end - start + 1 or old[-1] != b"":
            continue  # no changed row found, or the rows are not the previous ones: formatted whole
        for i in mine.tolist():
            line = lines[i]
            local = int(rows[i]) - start
            if not old[local].startswith(b",".join(line.split(b",", 2)[:2]) + b","):
                break
            old[local] = line
        else:
            out[segment] = b"\n".join(old)
    return out


def _lines(part: Table, lookups: Lookups) -> list[bytes]:
    """Each row's CSV line, without its line end (a line holding a line break is refused by the check)."""
    return [line_of(row) for row in csv_rows(part.frame(lookups))]


def line_of(row: tuple[str, ...]) -> bytes:
    """A row's CSV line (csv_rows' fields), without its line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue().encode("utf-8")[:-1]
