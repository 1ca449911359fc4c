"""The canonical dataset's current values as arrays on disk, one copy per release, for fast diffs.

Every validated upload is compared with the canonical values (contributions/diff.py). Reading a
million values out of the database takes longer than parsing and checking the upload itself,
and the values change only with a release, so each release's values are kept as three arrays
sorted by observation key (dataset/keys.py): `keys`, `values` and `source_ids`. They are written
once per release, by the merge from the previous release's snapshot and the values it wrote
(`advance`; by the export task after an import, or by the first diff that needs them), and
memory-mapped after that: a lookup of a million keys then costs a few tens of milliseconds.

A snapshot belongs to one release: its directory name holds the release's number and creation
time, so it can never be mistaken for another database's release of the same number.
"""

import io
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.conf import settings
from django.db import connection

from common import parallel

from .exports.reading import epoch_days_sql
from .keys import KEY_LAYOUT, key_sql, series_starts
from .models import Observation, ObservationHistory, Release
from .selectors import latest_release

logger = logging.getLogger(__name__)

ARRAYS = ("keys", "values", "source_ids")
KEPT = 2  # snapshots kept on disk: the latest and the one before (a diff may still be reading it)


@dataclass
class Values:
    """Current values sorted by key; `release` is None when the dataset has no release yet."""

    keys: np.ndarray
    values: np.ndarray
    source_ids: np.ndarray
    release: int | None
    directory: Path | None = None  # where it is kept, when it is

    def lookup(self, keys: np.ndarray, starts: np.ndarray | None = None) -> np.ndarray:
        """Position of each key in this snapshot, -1 where the dataset has no value. `starts`: the
        series_starts of `keys` when they are sorted and the caller has them."""
        if not len(self.keys):
            return np.full(len(keys), -1, dtype="int64")
        position = self._guess_daily(keys, starts)
        if position is None:
            position = parallel.searchsorted(self.keys, keys)
        np.minimum(position, len(self.keys) - 1, out=position)
        missed = np.flatnonzero(self.keys[position] != keys)
        if len(missed) and len(missed) < len(keys):  # guessed wrong (a gap in a series): search those
            position[missed] = np.minimum(np.searchsorted(self.keys, keys[missed]), len(self.keys) - 1)
            missed = missed[self.keys[position[missed]] != keys[missed]]
        position[missed] = -1
        return position

    def _guess_daily(self, keys: np.ndarray, starts: np.ndarray | None) -> np.ndarray | None:
        """Positions of sorted `keys` assuming each series is stored day after day without gaps (the
        usual case): one binary search per series, then the day's offset from the series' first key.
        None when `keys` are not sorted. Wrong guesses are checked and searched by the caller."""
        if starts is None:
            if len(keys) < 2 or not (keys[1:] >= keys[:-1]).all():
                return None
            starts = series_starts(keys)
        first_keys = keys[starts]
        first_positions = np.searchsorted(self.keys, first_keys)
        shift = np.repeat(first_keys - first_positions, np.diff(np.append(starts, len(keys))))
        position: np.ndarray = np.subtract(keys, shift, out=shift)
        np.maximum(position, 0, out=position)
        return position


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "cache" / f"values-{KEY_LAYOUT}"


def _directory(release: Release) -> Path:
    return root() / f"r{release.number}-{int(release.created_at.timestamp() * 1_000_000)}"


def current() -> Values:
    """The current values: from the latest release's snapshot, written first if it is missing."""
    release = latest_release()
    if release is None:
        return Values(*_empty(), release=None)
    directory = _directory(release)
    if not directory.is_dir():
        return build(release)
    try:
        arrays = [np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS]
    except (OSError, ValueError):  # removed or damaged meanwhile: read the database again
        logger.warning("Snapshot %s unreadable; rebuilding it", directory)
        return build(release)
    keys, values, source_ids = arrays
    return Values(keys, values, source_ids, release=release.number, directory=directory)


def build(release: Release) -> Values:
    """Read every current value from the database and keep them as `release`'s snapshot.

    The snapshot is saved only when no other release was made while the values were read, so a
    saved snapshot always holds exactly its release's values.
    """
    keys, values, source_ids = _read_all()
    order = np.argsort(keys, kind="stable")
    keys, values, source_ids = keys[order], values[order], source_ids[order]
    latest = latest_release()
    if latest is not None and latest.pk == release.pk:
        try:
            _save(_directory(release), keys=keys, values=values, source_ids=source_ids)
        except OSError:  # a full or read-only disk costs speed, never the diff
            logger.exception("Could not save the snapshot of release %s", release.number)
    return Values(keys, values, source_ids, release=release.number)


def _save(directory: Path, **arrays: np.ndarray) -> None:
    if directory.is_dir():
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", array)
        os.replace(staging, directory)
    except OSError:
        if not directory.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_old(directory.parent)


def _remove_old(parent: Path) -> None:
    """Keep the KEPT newest snapshots; another process may be removing them at the same time."""
    dated = []
    for path in parent.glob("r*"):
        try:
            dated.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    for _, old in sorted(dated)[:-KEPT]:
        shutil.rmtree(old, ignore_errors=True)


def _read_all() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = Observation._meta.db_table
    sql = f"SELECT {key_sql(epoch_days_sql('date'))}, value, source_id FROM {table}"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY ... TO STDOUT read back by Arrow: far faster than fetching a million tuples.
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            data = buffer.getvalue()
            if not data:
                return _empty()
            table = pa_csv.read_csv(
                pa.BufferReader(data),
                read_options=pa_csv.ReadOptions(column_names=list(ARRAYS)),
                convert_options=pa_csv.ConvertOptions(
                    column_types={"keys": pa.int64(), "values": pa.float64(), "source_ids": pa.int64()}
                ),
            )
            return tuple(table.column(name).to_numpy() for name in ARRAYS)
        cursor.execute(sql)
        rows = cursor.fetchall()
    if not rows:
        return _empty()
    keys, values, source_ids = zip(*rows, strict=True)
    return (np.array(keys, dtype="int64"), np.array(values, dtype="float64"), np.array(source_ids, dtype="int64"))


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.array([], dtype="int64")
    return empty, empty.astype("float64"), empty


def load(release: Release) -> Values | None:
    """`release`'s snapshot when it is on disk, else None."""
    directory = _directory(release)
    try:
        keys, values, source_ids = (np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS)
    except (OSError, ValueError):
        return None
    return Values(keys, values, source_ids, release=release.number, directory=directory)


def derived(values: Values, name: str, compute: Callable[[Values], np.ndarray]) -> np.ndarray:
    """`compute(values)`, kept next to the snapshot: computed once per release, whatever the process."""
    if values.directory is None:
        return compute(values)
    path = values.directory / f"{name}.npy"
    try:
        kept: np.ndarray = np.load(path)
        return kept
    except (OSError, ValueError):
        pass
    array = compute(values)
    staging = path.with_name(f".{name}.{uuid.uuid4().hex}.npy")
    try:
        np.save(staging, array)
        os.replace(staging, path)
    except OSError:  # removed meanwhile, or a read-only disk: computed again next time
        staging.unlink(missing_ok=True)
    return array


def advance(release: Release, written: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Values:
    """Write `release`'s snapshot from the one before it and the values `release` wrote.

    The merge calls this inside its transaction, so the snapshot is on disk when the release
    becomes visible and no diff reads the database. `written`: the (keys, values, source_ids) the
    release wrote, as the upsert read them from its stage; without them they are read from the
    dataset (a scan of every value). Without the previous snapshot, every value is read.
    """
    latest = latest_release()
    if latest is None or latest.pk != release.pk:  # an older release's values are no longer all in the table
        return current()
    existing = load(release)
    if existing is not None:
        return existing
    previous = Release.objects.filter(number__lt=release.number).order_by("-number").first()
    before = load(previous) if previous is not None else Values(*_empty(), release=None)
    if before is None:
        return build(release)
    changed_keys, changed_values, changed_sources = written if written is not None else _read_changed(release)
    order = np.argsort(changed_keys, kind="stable")
    changed_keys, changed_values, changed_sources = changed_keys[order], changed_values[order], changed_sources[order]
    position = np.searchsorted(before.keys, changed_keys)
    found = position < len(before.keys)
    found[found] = before.keys[position[found]] == changed_keys[found]
    keys, values, source_ids = (np.array(array) for array in (before.keys, before.values, before.source_ids))
    values[position[found]] = changed_values[found]
    source_ids[position[found]] = changed_sources[found]
    added = ~found
    if added.any():
        keys = np.insert(keys, position[added], changed_keys[added])
        values = np.insert(values, position[added], changed_values[added])
        source_ids = np.insert(source_ids, position[added], changed_sources[added])
    removed = _read_removed(release)
    if len(removed):  # a revert removed values its submission had added
        kept = ~np.isin(keys, removed)
        keys, values, source_ids = keys[kept], values[kept], source_ids[kept]
    try:
        _save(_directory(release), keys=keys, values=values, source_ids=source_ids)
    except OSError:
        logger.exception("Could not save the snapshot of release %s", release.number)
    return Values(keys, values, source_ids, release=release.number)


def _read_removed(release: Release) -> np.ndarray:
    """The keys of the values `release` removed (history rows without a new value)."""
    table = ObservationHistory._meta.db_table
    sql = f"SELECT {key_sql(epoch_days_sql('date'))} FROM {table} WHERE release_id = %s AND new_value IS NULL"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [release.pk])
        rows = cursor.fetchall()
    return np.array([row[0] for row in rows], dtype="int64")


def _read_changed(release: Release) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values `release` added or changed (every value carries the release that last wrote it)."""
    table = Observation._meta.db_table
    sql = f"SELECT {key_sql(epoch_days_sql('date'))}, value, source_id FROM {table} WHERE release_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [release.pk])
        rows = cursor.fetchall()
    if not rows:
        return _empty()
    keys, values, source_ids = zip(*rows, strict=True)
    return (np.array(keys, dtype="int64"), np.array(values, dtype="float64"), np.array(source_ids, dtype="int64"))
