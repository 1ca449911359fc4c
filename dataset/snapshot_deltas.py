"""What changed in the dataset since a value snapshot's base: the arrays a merge writes instead of the whole.

A release's snapshot (dataset/snapshots.py) is either whole (every value, sorted by key) or a base
(the whole snapshot of an earlier release) plus a delta: the values set since that base (added or
changed, with their source) and the keys removed since (a revert's), both sorted. Deltas are
cumulative, one level deep: the next merge folds its own changes into the previous delta, so a
reader overlays one delta on one base, and a merge writes the size of the delta, not the dataset's.

Pure arrays and files; which base a delta belongs to, and when it becomes a new base, is the
snapshot module's.
"""

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common import parallel

BASE_FILE = "base.txt"  # the name of the whole snapshot's folder the delta is relative to
DELTA_ARRAYS = ("keys", "values", "source_ids", "removed")


@dataclass
class Delta:
    """Sorted keys set since the base with their values and sources, and sorted keys removed since
    (none of them among the set ones)."""

    keys: np.ndarray
    values: np.ndarray
    source_ids: np.ndarray
    removed: np.ndarray

    @classmethod
    def empty(cls) -> "Delta":
        keys = np.zeros(0, dtype="int64")
        return cls(keys, keys.astype("float64"), keys.copy(), keys.copy())

    def __len__(self) -> int:
        return len(self.keys) + len(self.removed)


def contains(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position of each key in `sorted_keys`, clipped; whether it is there)."""
    if not len(sorted_keys) or not len(keys):
        return np.zeros(len(keys), dtype=np.intp), np.zeros(len(keys), dtype=bool)
    if len(sorted_keys) < len(keys) // 4 and (keys[1:] >= keys[:-1]).all():
        return _contains_sorted(sorted_keys, keys)
    position = np.minimum(parallel.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found: np.ndarray = sorted_keys[position] == keys
    return position, found


def _contains_sorted(few: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """contains for sorted `keys` many times longer than `few`: each of `few` searched in `keys` (a
    binary search per key of the short array instead of the long one; a diff's million keys against
    a merge's delta)."""
    first = np.searchsorted(keys, few, side="left")
    count = np.searchsorted(keys, few, side="right") - first
    hit = np.flatnonzero(count)
    lengths = count[hit]
    runs = np.repeat(first[hit] - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    at = runs + np.arange(len(runs))  # every key equal to one of `few`
    position = np.zeros(len(keys), dtype=np.intp)
    found = np.zeros(len(keys), dtype=bool)
    position[at] = np.repeat(hit, lengths)
    found[at] = True
    return position, found


def changes(keys: np.ndarray, values: np.ndarray, source_ids: np.ndarray) -> tuple[np.ndarray, ...]:
    """A release's written values sorted by key, the last of a repeated key kept."""
    order = np.argsort(keys, kind="stable")
    keys, values, source_ids = keys[order], values[order], source_ids[order]
    last = np.append(keys[1:] != keys[:-1], True) if len(keys) else np.zeros(0, dtype=bool)
    return keys[last], values[last], source_ids[last]


def fold(delta: Delta, written: tuple[np.ndarray, ...], removed: np.ndarray, base_keys: np.ndarray) -> Delta:
    """`delta` followed by one release: its `written` (sorted) values set, then its `removed` keys gone.

    Keys removed that the base does not hold are dropped (removing them from the overlay is a no-op)."""
    keys, values, source_ids = written
    removed = np.unique(removed)
    _, gone = contains(removed, keys)
    keys, values, source_ids = keys[~gone], values[~gone], source_ids[~gone]  # the release removed them after
    _, replaced = contains(keys, delta.keys)
    _, removed_now = contains(removed, delta.keys)
    kept = ~(replaced | removed_now)
    all_keys = np.concatenate([delta.keys[kept], keys])
    order = np.argsort(all_keys, kind="stable")
    merged_values = np.concatenate([delta.values[kept], values])[order]
    merged_sources = np.concatenate([delta.source_ids[kept], source_ids])[order]
    _, set_again = contains(keys, delta.removed)
    still_removed = np.union1d(delta.removed[~set_again], removed)
    _, in_base = contains(base_keys, still_removed)
    return Delta(all_keys[order], merged_values, merged_sources, still_removed[in_base])


def find(
    base: tuple[np.ndarray, np.ndarray, np.ndarray], position: np.ndarray, delta: Delta, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(known, values, source_ids) of `keys` in the base overlaid with `delta`, from `position`, each key's
    position in the base (-1: not there); values NaN and sources 0 where unknown."""
    known = position >= 0
    if known.all():
        values = np.asarray(base[1][position], dtype="float64")
        source_ids = np.asarray(base[2][position], dtype="int64")
    else:
        values = np.full(len(keys), np.nan)
        source_ids = np.zeros(len(keys), dtype="int64")
        values[known] = base[1][position[known]]
        source_ids[known] = base[2][position[known]]
    if not len(delta):
        return known, values, source_ids
    at, is_set = contains(delta.keys, keys)
    values[is_set] = delta.values[at[is_set]]
    source_ids[is_set] = delta.source_ids[at[is_set]]
    known |= is_set
    _, removed = contains(delta.removed, keys)
    known &= ~removed
    values[removed] = np.nan
    source_ids[removed] = 0
    return known, values, source_ids


def overlay(base: tuple[np.ndarray, np.ndarray, np.ndarray], delta: Delta) -> tuple[np.ndarray, ...]:
    """The whole sorted (keys, values, source_ids): the base's, with the values `delta` sets in place,
    the keys it removes deleted and the keys it adds inserted."""
    base_keys = base[0]
    at, replaced = contains(base_keys, delta.keys)
    removed_at, removed = contains(base_keys, delta.removed)
    removed_at = np.unique(removed_at[removed])
    added = ~replaced
    inserted = np.searchsorted(base_keys, delta.keys[added])
    inserted -= np.searchsorted(removed_at, inserted)  # the same places once the removed are deleted
    out = []
    for base_array, set_array in zip(base, (delta.keys, delta.values, delta.source_ids), strict=True):
        whole = np.array(base_array)
        whole[at[replaced]] = set_array[replaced]
        if len(removed_at):
            whole = np.delete(whole, removed_at)
        if len(inserted):
            whole = np.insert(whole, inserted, set_array[added])
        out.append(whole)
    return tuple(out)


def save(directory: Path, delta: Delta, base_name: str) -> None:
    """Write `delta` as `directory`, whole or not at all (a staging folder renamed into place)."""
    save_folder(directory, {name: getattr(delta, name) for name in DELTA_ARRAYS}, {BASE_FILE: base_name})


def save_folder(directory: Path, arrays: dict[str, np.ndarray], texts: dict[str, str] | None = None) -> None:
    """Write `arrays` (as .npy files) and `texts` into `directory`, whole or not at all: a staging folder
    renamed into place. A folder already there (a concurrent writer of the same release) is kept."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", array)
        for name, text in (texts or {}).items():
            (staging / name).write_text(text)
        os.replace(staging, directory)
    except OSError:
        if not directory.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def base_name(directory: Path) -> str:
    """The name of the base folder the delta in `directory` is relative to (OSError when unreadable)."""
    return (directory / BASE_FILE).read_text().strip()


def load(directory: Path) -> Delta:
    """The delta kept in `directory` (OSError or ValueError when missing or damaged)."""
    return Delta(*(np.load(directory / f"{name}.npy") for name in DELTA_ARRAYS))
