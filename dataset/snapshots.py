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

A merge does not rewrite the whole: it writes a delta (dataset/snapshot_deltas.py: the values set and
the keys removed since a base, the whole snapshot of an earlier release), so its cost follows what it
changed, not the dataset's size. The tasks after a release (dataset/tasks.py) write the release's
snapshot whole again (`compact`), off the merge's path; a merge whose delta would pass DELTA_SHARE
of the base writes it whole itself (the tasks were behind).
"""

import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.conf import settings
from django.db import connection

from common import parallel

from . import snapshot_deltas as deltas
from .exports.reading import epoch_days_sql
from .keys import KEY_LAYOUT, key_sql, series_starts
from .models import Observation, ObservationHistory, Release
from .selectors import latest_release

logger = logging.getLogger(__name__)

ARRAYS = ("keys", "values", "source_ids")
KEPT = 2  # releases whose snapshots stay on disk: the latest and the one before (a diff may still be reading it)
# A merge writes the snapshot whole when its delta would hold more values than this share of the base's:
# writing the delta then costs about a quarter of writing the whole, and a diff reads both.
DELTA_SHARE = 0.25
STAGING_HOURS = 1  # a staging folder older than this was left by a crash


class Values:
    """Current values sorted by key; `release` is None when the dataset has no release yet.

    Kept whole, or as a base and a delta (`delta`; the arrays given are then the base's): `keys`,
    `values` and `source_ids` are the whole arrays, overlaid on first use; `find` reads base and delta
    without overlaying them."""

    def __init__(
        self,
        keys: np.ndarray,
        values: np.ndarray,
        source_ids: np.ndarray,
        release: int | None,
        directory: Path | None = None,
        delta: deltas.Delta | None = None,
        base_directory: Path | None = None,
    ) -> None:
        self.release = release
        self.directory = directory  # where it is kept, when it is
        self.delta = delta
        self.base = (keys, values, source_ids)
        self.base_directory = base_directory if delta is not None else directory  # the whole snapshot it builds on
        self._whole: tuple[np.ndarray, ...] | None = None if delta is not None else self.base

    def _arrays(self) -> tuple[np.ndarray, ...]:
        if self._whole is None:
            assert self.delta is not None
            self._whole = deltas.overlay(self.base, self.delta)
        return self._whole

    @property
    def keys(self) -> np.ndarray:
        return self._arrays()[0]

    @property
    def values(self) -> np.ndarray:
        return self._arrays()[1]

    @property
    def source_ids(self) -> np.ndarray:
        return self._arrays()[2]

    def lookup(self, keys: np.ndarray, starts: np.ndarray | None = None) -> np.ndarray:
        """Position of each key in `self.keys`, -1 where the dataset has no value. `starts`: the
        series_starts of `keys` when they are sorted and the caller has them."""
        return _positions(self.keys, keys, starts)

    def find(self, keys: np.ndarray, starts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(known, values, source_ids) of `keys`: whether the dataset has a value for each, the value (NaN
        where not) and its source (0 where not), read from the base and the delta as they are kept."""
        if self.delta is None:
            return deltas.find(self.base, _positions(self.base[0], keys, starts), deltas.Delta.empty(), keys)
        return deltas.find(self.base, _positions(self.base[0], keys, starts), self.delta, keys)


def _positions(sorted_keys: np.ndarray, keys: np.ndarray, starts: np.ndarray | None) -> np.ndarray:
    """Position of each of `keys` in `sorted_keys`, -1 where it is not there."""
    if not len(sorted_keys):
        return np.full(len(keys), -1, dtype="int64")
    position = _guess_daily(sorted_keys, keys, starts)
    if position is None:
        position = parallel.searchsorted(sorted_keys, keys)
    np.minimum(position, len(sorted_keys) - 1, out=position)
    missed = np.flatnonzero(sorted_keys[position] != keys)
    if len(missed) and len(missed) < len(keys):  # guessed wrong (a gap in a series): search those
        position[missed] = np.minimum(np.searchsorted(sorted_keys, keys[missed]), len(sorted_keys) - 1)
        missed = missed[sorted_keys[position[missed]] != keys[missed]]
    position[missed] = -1
    return position


def _guess_daily(sorted_keys: np.ndarray, keys: np.ndarray, starts: np.ndarray | None) -> np.ndarray | None:
    """Positions of sorted `keys` assuming each series is stored day after day without gaps (the
    usual case): one binary search per series, then the day's offset from the series' first key.
    None when `keys` are not sorted. Wrong guesses are checked and searched by the caller."""
    if starts is None:
        if len(keys) < 2 or not (keys[1:] >= keys[:-1]).all():
            return None
        starts = series_starts(keys)
    first_keys = keys[starts]
    first_positions = np.searchsorted(sorted_keys, first_keys)
    shift = np.repeat(first_keys - first_positions, np.diff(np.append(starts, len(keys))))
    position: np.ndarray = np.subtract(keys, shift, out=shift)
    np.maximum(position, 0, out=position)
    return position


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "cache" / f"values-{KEY_LAYOUT}"


def _directory(release: Release) -> Path:
    """Where `release`'s snapshot is kept whole."""
    return root() / f"r{release.number}-{int(release.created_at.timestamp() * 1_000_000)}"


def _delta_directory(release: Release) -> Path:
    """Where `release`'s snapshot is kept as a delta on a base."""
    return root() / f"d{_directory(release).name[1:]}"


def current() -> Values:
    """The current values: from the latest release's snapshot, written first if it is missing."""
    release = latest_release()
    if release is None:
        return Values(*_empty(), release=None)
    values = load(release)
    if values is None:
        if _directory(release).is_dir() or _delta_directory(release).is_dir():  # removed or damaged meanwhile
            logger.warning("Snapshot of release %s unreadable; rebuilding it", release.number)
        return build(release)
    return values


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
    deltas.save_folder(directory, arrays)
    _remove_old(directory.parent)


def _remove_old(parent: Path) -> None:
    """Keep the snapshots of the KEPT highest release numbers and the bases their deltas are on; remove
    the staging folders a crash left. Another process may be removing them at the same time."""
    by_number: dict[int, list[Path]] = {}
    for path in list(parent.iterdir()) if parent.is_dir() else []:
        if path.name.startswith("."):
            try:
                if path.stat().st_mtime < time.time() - STAGING_HOURS * 3600:
                    shutil.rmtree(path, ignore_errors=True)
            except FileNotFoundError:
                pass
            continue
        number = path.name[1:].split("-", 1)[0]
        if path.name[:1] in ("r", "d") and number.isdigit():
            by_number.setdefault(int(number), []).append(path)
    numbers = sorted(by_number)[-KEPT:]
    kept = {path for number in numbers for path in by_number[number]}
    for path in [path for path in kept if path.name.startswith("d")]:
        if (parent / f"r{path.name[1:]}") in kept and not path.name.startswith(f"d{numbers[-1]}-"):
            kept.discard(path)  # written whole since; the latest's delta may still be a merge's `before`
            continue
        try:
            kept.add(parent / deltas.base_name(path))
        except OSError:
            continue
    for paths in by_number.values():
        for path in paths:
            if path not in kept:
                shutil.rmtree(path, ignore_errors=True)


def _read_all() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = Observation._meta.db_table
    sql = f"SELECT {key_sql(epoch_days_sql('date'))}, value, source_id FROM {table}"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY ... TO STDOUT read back by Arrow: far faster than fetching a million tuples. The text
            # goes through a temporary file, not memory: at 10M values it is 300 MB, twice over in a buffer.
            with tempfile.TemporaryFile(dir=root() if root().is_dir() else None) as spool:
                with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                    for block in copy:
                        spool.write(block)
                if not spool.tell():
                    return _empty()
                spool.seek(0)
                table = pa_csv.read_csv(
                    spool,
                    read_options=pa_csv.ReadOptions(column_names=list(ARRAYS)),
                    convert_options=pa_csv.ConvertOptions(
                        column_types={"keys": pa.int64(), "values": pa.float64(), "source_ids": pa.int64()}
                    ),
                )
            arrays = tuple(table.column(name).to_numpy() for name in ARRAYS)
            del table
            pa.default_memory_pool().release_unused()  # the reader's buffers: 280 MB at 10M kept otherwise
            return arrays
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
    """`release`'s snapshot when it is on disk (whole, or a delta and its base), else None."""
    directory = _directory(release)
    try:
        keys, values, source_ids = (np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS)
        return Values(keys, values, source_ids, release=release.number, directory=directory)
    except (OSError, ValueError):
        pass
    return load_delta(release)


def load_delta(release: Release) -> Values | None:
    """`release`'s snapshot as the merge kept it, a delta on a base, when it is still on disk, else None."""
    directory = _delta_directory(release)
    try:
        base_name = deltas.base_name(directory)
        if not base_name.startswith("r") or "/" in base_name:
            return None
        base = root() / base_name
        keys, values, source_ids = (np.load(base / f"{name}.npy", mmap_mode="r") for name in ARRAYS)
        delta = deltas.load(directory)
    except (OSError, ValueError):
        return None
    return Values(
        keys, values, source_ids, release=release.number, directory=directory, delta=delta, base_directory=base
    )


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
    dataset (a scan of every value). Without the previous snapshot, every value is read. What is
    written is the previous delta with this release's changes folded in, on the same base; the
    whole snapshot when that delta would pass DELTA_SHARE of the base.
    """
    latest = latest_release()
    if latest is None or latest.pk != release.pk:  # an older release's values are no longer all in the table
        return current()
    existing = load(release)
    if existing is not None:
        return existing
    previous = Release.objects.filter(number__lt=release.number).order_by("-number").first()
    before = load(previous) if previous is not None else Values(*_empty(), release=None)
    if before is None or (written is None and _wrote(release) > DELTA_SHARE * len(before.base[0])):
        return build(release)  # most of the dataset (an import's release): one COPY, not a fetch of each row
    changes = deltas.changes(*(written if written is not None else _read_changed(release)))
    delta = deltas.fold(before.delta or deltas.Delta.empty(), changes, _read_removed(release), before.base[0])
    base = before.base_directory
    if base is None or len(delta) > DELTA_SHARE * len(before.base[0]):
        keys, values, source_ids = deltas.overlay(before.base, delta)
        try:
            _save(_directory(release), keys=keys, values=values, source_ids=source_ids)
        except OSError:
            logger.exception("Could not save the snapshot of release %s", release.number)
        return Values(keys, values, source_ids, release=release.number)
    directory = _delta_directory(release)
    try:
        deltas.save(directory, delta, base.name)
        _remove_old(directory.parent)
    except OSError:  # a full or read-only disk costs speed, never the merge
        logger.exception("Could not save the snapshot of release %s", release.number)
        return Values(*before.base, release=release.number, delta=delta, base_directory=base)
    return Values(*before.base, release=release.number, directory=directory, delta=delta, base_directory=base)


def _wrote(release: Release) -> int:
    """At most how many values `release` wrote (its counts; unchanged values include those re-attributed)."""
    return release.values_added + release.values_changed + release.values_unchanged


def compact(release: Release) -> None:
    """Write `release`'s snapshot whole when it is kept as a delta and `release` is the latest: what the
    tasks after a release do, so that readers of every value (exports, summaries) map it from disk and
    the next merge's delta starts empty."""
    latest = latest_release()
    if latest is None or latest.pk != release.pk:
        return
    values = load(release)
    if values is None or values.delta is None:
        return
    try:
        _save(_directory(release), keys=values.keys, values=values.values, source_ids=values.source_ids)
    except OSError:
        logger.exception("Could not save the snapshot of release %s whole", release.number)


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
