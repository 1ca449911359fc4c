"""A release's export files, written from what changed since the release before, and `export`, one format anywhere.

Layout under EXPORTS_ROOT:
- store/segments: the tidy CSV's dates, gzip-compressed, named by SHA-256 (segments.py);
  store/blobs: every other file (Parquet, JHU, Data Package), named by SHA-256.
- store/manifests/<number>.json.gz: what release <number>'s files are made of (segments and blobs).
- <number>/<name>: the files as served: every release's blobs (hard links: no extra space); the CSV
  and .gz of every release, the latest included, are assembled from the shared segments when
  downloaded (retention.open_release_file), so a release writes only its changed segments. Their
  whole-file SHA-256s, the Parquet file and the changed metrics' JHU files are the follow-up task's
  (finishing.py), a little later and off the release's path.

A release rewrites only the dates whose values changed: every other date's segment is the previous
release's. Releases that retention.py does not keep lose their files; `export_dataset --release N`
rebuilds them from history, byte for byte (the checksums are recorded in ReleaseFile).
"""

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from .. import snapshots
from ..citation import CITATION_NAME
from ..errata import ERRATA_NAME
from ..errata import write_release_file as write_errata_file
from ..models import Release, ReleaseFile
from ..selectors import latest_release
from . import incremental, manifests, segments
from .datapackage import write_datapackage
from .ends import cut, ends_of, with_ends
from .jhu_table import jhu_names, write_jhu_from_table
from .manifests import Entry, Manifest
from .parquet import write_parquet
from .patching import patch_segments, table_keys
from .retention import ASSEMBLED, apply_retention
from .schema import JHU_NAME, PARQUET_NAME, TIDY_NAME
from .segments import link, sha256_of
from .store_lock import store_lock
from .table import Lookups, Table, as_of_release, from_database, from_snapshot
from .tidy import write_tidy

FORMATS = ("tidy", "jhu", "parquet", "datapackage")
PENDING = ""  # ReleaseFile.sha256 of a file whose checksum the follow-up (finishing.py) has not recorded yet
GZ_NAME = TIDY_NAME + ".gz"


def export(fmt: str, directory: Path, *, release: Release | None = None) -> list[Path]:
    """Write one format of the current dataset into `directory` and return the files written."""
    directory = Path(directory)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    lookups = Lookups.read()
    table = cut(from_database(lookups), ends_of(None))  # no value after a series' end (exports/ends.py)
    if fmt == "tidy":
        return write_tidy(directory, table=table, lookups=lookups)
    if fmt == "jhu":
        return write_jhu_from_table(directory, table)
    if fmt == "parquet":
        return write_parquet(directory, table=table, lookups=lookups)
    if fmt == "datapackage":
        return write_datapackage(directory, release=release or latest_release(), table=table)
    raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


def _format_of(name: str) -> str:
    if name == TIDY_NAME:
        return "csv"
    if name == GZ_NAME:
        return "csv.gz"
    if name == PARQUET_NAME:
        return "parquet"
    if name == ERRATA_NAME:
        return "errata"
    if name == CITATION_NAME:
        return "citation"
    if name.startswith(JHU_NAME.split("{", 1)[0]):
        return "jhu"
    return "datapackage"


def root() -> Path:
    return Path(settings.EXPORTS_ROOT)


def read_manifest(number: int) -> Manifest | None:
    return manifests.read_manifest(root(), number)


def build_release_exports(*, release: Release) -> list[ReleaseFile]:
    """Write the latest release's CSV segments, Data Package and errata, and record its files (the rest is
    the follow-up's: finishing.py); a second run does nothing.

    Exports describe the dataset as it is now, so only the latest release gets them: an older
    release's task finds a newer one and returns without writing.
    """
    latest = latest_release()
    if latest is None or latest.pk != release.pk:
        return []
    existing = list(release.files.all())
    if release.exports_built_at and existing and _complete(release, existing):
        return existing
    started = timezone.now()  # recorded as exports_built_at: the end marks as of now are the files' (ends.py)
    ends = ends_of(release, at=started)
    lookups = with_ends(Lookups.read(), ends)
    values = snapshots.advance(release)
    previous = Release.objects.filter(number__lt=release.number, exports_built_at__isnull=False).first()
    before = read_manifest(previous.number) if previous else None
    changes = _changes(previous, values, before, lookups)
    order = None
    if changes.groups is not None and before is not None:  # only the changed groups' rows
        table = cut(incremental.segment_rows(values, lookups, changes.groups), ends)
        described = cut(incremental.unordered(values), ends)
        ids = segments.segment_ids(table, lookups)
        changes.segments, changes.patchable = incremental.changed_pieces(
            table, ids, changes.structural, changes.modified
        )
        order = incremental.segment_order(before, changes.groups, ids)
    else:
        table = described = cut(from_snapshot(values.keys, values.values, values.source_ids, lookups), ends)
    with store_lock(root()):  # from the first piece stored to the manifest listing it (store_lock.py)
        records = _write_release(release, table, described, lookups, before, changes, order)
        Release.objects.filter(pk=release.pk).update(exports_built_at=started)
        apply_retention(root(), latest=release)
    return records


def _complete(release: Release, files: list[ReleaseFile]) -> bool:
    """Whether every file is in the release's folder, the CSV and .gz as segments listed by its manifest."""
    has_segments = bool((read_manifest(release.number) or {}).get("segments"))
    return all(has_segments if f.name in ASSEMBLED else (root() / f.path).is_file() for f in files)


@dataclass
class Changes:
    """What differs from the previous release: the CSV's groups (segments.py) and metrics with changes (None:
    all), the keys whose value or source changed, the groups where values were added or removed; then, once
    their rows are read, the segments to write again (None: all) and those to patch (only values changed)."""

    groups: set[int] | None = None
    metrics: set[int] | None = None
    modified: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    structural: set[int] = field(default_factory=set)
    segments: set[int] | None = None
    patchable: set[int] = field(default_factory=set)


def _changes(
    previous: Release | None, values: "snapshots.Values", before: Manifest | None, lookups: Lookups
) -> Changes:
    if previous is None or before is None or before.get("fingerprint") != lookups.fingerprint:
        return Changes()
    if before.get("layout", 1) != segments.LAYOUT or before.get("segment_rows") != segments.SEGMENT_ROWS:
        return Changes()  # segments cut another way (an older release): every one formatted, equal ones kept
    old = snapshots.load(previous)
    if old is None:
        return Changes()
    old_keys = np.asarray(old.keys)
    changed = changed_keys(old_keys, np.asarray(old.values), np.asarray(old.source_ids), values)
    kept = _contains(old_keys, changed) & _contains(np.asarray(values.keys), changed)
    part = from_snapshot(changed, np.zeros(len(changed)), np.zeros(len(changed), dtype="int64"), lookups)
    part_groups = segments.group_ids(part.days, part.location_ids, lookups)
    part_kept = _contains(np.sort(changed[kept]), table_keys(part, np.arange(len(part))))
    return Changes(
        groups=set(np.unique(part_groups).tolist()),
        metrics=set(part.metric_ids.tolist()),
        modified=np.sort(changed[kept]),
        structural=set(np.unique(part_groups[~part_kept]).tolist()),
    )


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of `keys` is in `sorted_keys`."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found: np.ndarray = sorted_keys[position] == keys
    return found


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


def _write_release(
    release: Release,
    table: Table,
    described: Table,
    lookups: Lookups,
    before: Manifest | None,
    changes: Changes,
    order: list[int] | None,
) -> list[ReleaseFile]:
    """`table`: the rows to format (every row, or the changed segments' with `order`, the segments in
    order); `described`: every row, in any order (the Data Package's counts)."""
    target = root() / str(release.number)
    staging = root() / f".{release.number}.tmp-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        # The Parquet file and the changed metrics' JHU files are the follow-up's (finishing.py): it
        # writes them while the release is still the latest and marks the manifest finished.
        finished = before is not None and before.get("finished", True)
        to_write = changes.metrics if finished else None
        manifest: Manifest = {
            "number": release.number,
            "fingerprint": lookups.fingerprint,
            "layout": segments.LAYOUT,
            "segment_rows": segments.SEGMENT_ROWS,
            "base": (before or {}).get("base"),  # its segments are stored as a delta on it (manifests.py)
            "segments": [],
            "blobs": {},
            "finished": False,
            "jhu_to_write": None if to_write is None else sorted(to_write),
        }
        tidy_sizes = _write_tidy_files(table, lookups, before, changes, manifest, order)
        blobs = _write_blobs(staging, release, described, lookups, before, to_write)
        manifest["blobs"] = blobs
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        manifests.write_manifest(root(), release.number, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = {name: (size, PENDING) for name, size in tidy_sizes.items()}  # checksums: finishing.py
    files.update({name: ((target / name).stat().st_size, sha) for name, sha in blobs.items()})
    return [
        ReleaseFile.objects.update_or_create(
            release=release,
            name=name,
            defaults={"format": _format_of(name), "path": f"{release.number}/{name}", "size": size, "sha256": sha},
        )[0]
        for name, (size, sha) in files.items()
    ]


def _write_tidy_files(
    table: Table,
    lookups: Lookups,
    before: Manifest | None,
    changes: Changes,
    manifest: Manifest,
    order: list[int] | None = None,
) -> dict[str, int]:
    """The CSV's and .gz's segments: new ones where values changed (patched when only values did), the
    previous release's for the others. Nothing is copied: both files are served from the segments
    (retention.open_release_file), and their whole-file checksums are recorded by finishing.py later.
    Returns each file's size."""
    base = root()
    reused = {entry[0]: entry for entry in (before or {}).get("segments", [])}
    ids = segments.segment_ids(table, lookups)
    present = _distinct(ids) if order is None else order
    writer = segments.PackWriter(base, f"r{manifest['number']}-{uuid.uuid4().hex[:8]}")
    reader = segments.PackReader(base)
    previous_csv = _previous_csv(before, reader)
    wanted = {s for s in present if changes.segments is None or s in changes.segments or s not in reused}
    patchable = {s for s in changes.patchable if s in wanted and s in reused}
    fresh = patch_segments(table, lookups, ids, patchable, changes.modified, lambda s: previous_csv(reused[s]))
    formatted = segments.iter_segments(table, lookups, ids, wanted - set(fresh))  # in order, as they are written
    pending = next(formatted, None)
    listed = []
    try:
        for segment in [segments.HEADER_ID, *present]:
            data = segments.HEADER if segment == segments.HEADER_ID else fresh.get(segment)
            if pending is not None and pending[0] == segment:
                data, pending = pending[1], next(formatted, None)
            entry = reused.get(segment)
            if data is not None and (entry is None or entry[1] != hashlib.sha256(data).hexdigest()):
                entry, _ = writer.add(segment, data)
            assert entry is not None  # a segment is either new or the previous release's
            listed.append(entry)
        assert pending is None  # every formatted segment is one of the release's
    finally:
        writer.close()
        reader.close()
    manifest["segments"] = listed
    return {TIDY_NAME: sum(entry[2] for entry in listed), GZ_NAME: sum(entry[5] for entry in listed)}


def _distinct(ids: np.ndarray) -> list[int]:
    """The distinct segment ids in order: one linear pass when they are sorted (the tidy order keeps
    them so), else a sort."""
    if len(ids) and bool((ids[1:] >= ids[:-1]).all()):
        first = np.empty(len(ids), dtype=bool)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        ids = ids[first]
    else:
        ids = np.unique(ids)
    distinct: list[int] = ids.tolist()
    return distinct


def _previous_csv(before: Manifest | None, reader: segments.PackReader) -> Callable[[Entry], bytes]:
    """A reader of the previous release's segments: from its full CSV when it is still there, else unpacked."""
    offsets: dict[int, int] = {}
    handle = None
    if before is not None:
        position = 0
        for entry in before["segments"]:
            offsets[entry[0]] = position
            position += entry[2]
        path = root() / str(before.get("number", "")) / TIDY_NAME
        if path.is_file() and path.stat().st_size == position:
            handle = path.open("rb")

    def read(entry: Entry) -> bytes:
        if handle is not None and entry[0] in offsets:
            handle.seek(offsets[entry[0]])
            data = handle.read(entry[2])
            if len(data) == entry[2]:
                return data
        return reader.plain(entry)

    return read


def _write_blobs(
    staging: Path, release: Release, table: Table, lookups: Lookups, before: Manifest | None, to_write: set[int] | None
) -> dict[str, str]:
    """The Data Package (with CITATION.cff) and the errata, each stored once by content and hard-linked into
    the release, and the previous release's JHU files of the metrics without changes (`to_write`: the
    metrics whose JHU files the follow-up writes, None: all). The Parquet file and the other JHU files
    are written by the follow-up task (finishing.py)."""
    work = staging / "work"
    blobs: dict[str, str] = {}
    if before is not None and to_write is not None:
        for pk, code in lookups.metric_code.items():
            if pk not in to_write:
                blobs.update({name: before["blobs"][name] for name in jhu_names(code) if name in before["blobs"]})
    written = [
        *write_datapackage(work, release=release, tidy_written=True, table=table),
        write_errata_file(work, release),
    ]
    for path in written:
        blobs[path.name] = segments.store_blob(root(), path)
    for name, sha in blobs.items():
        link(segments.blob_path(root(), sha), staging / name)
    shutil.rmtree(work, ignore_errors=True)
    return dict(sorted(blobs.items()))


def rebuild_release(release: Release, directory: Path | None = None) -> list[tuple[str, str, str | None]]:
    """Write `release`'s files as they were published, from history, into `directory` (its own
    folder when None); return (name, SHA-256 now, SHA-256 recorded when first built)."""
    ends = ends_of(release)
    lookups = with_ends(Lookups.read(), ends)
    table = cut(as_of_release(release, lookups), ends)
    directory = Path(directory) if directory else root() / str(release.number)
    directory.mkdir(parents=True, exist_ok=True)
    written = [
        *write_tidy(directory, table=table, lookups=lookups),
        *write_parquet(directory, table=table, lookups=lookups),
        *write_jhu_from_table(directory, table),
        *write_datapackage(directory, release=release, tidy_written=True, table=table),
        write_errata_file(directory, release),
    ]
    recorded = dict(release.files.values_list("name", "sha256"))
    rebuilt = [(path, sha256_of(path)) for path in written]
    gz = next((i for i, (path, _) in enumerate(rebuilt) if path.name == GZ_NAME), None)
    if gz is not None and recorded.get(GZ_NAME) not in (None, PENDING, rebuilt[gz][1]):
        # Built before the segments were cut in pieces: its .gz has one member per date and block.
        path = directory / "legacy"
        legacy = write_tidy(path, table=table, lookups=lookups, layout=1)[1]
        if sha256_of(legacy) == recorded[GZ_NAME]:
            os.replace(legacy, rebuilt[gz][0])
            rebuilt[gz] = (rebuilt[gz][0], recorded[GZ_NAME])
        shutil.rmtree(path, ignore_errors=True)
    if directory == root() / str(release.number):
        for path, sha in rebuilt:  # files its follow-up never wrote (a newer release came first): listed now
            if not recorded.get(path.name):
                ReleaseFile.objects.update_or_create(
                    release=release,
                    name=path.name,
                    defaults={
                        "format": _format_of(path.name),
                        "path": f"{release.number}/{path.name}",
                        "size": path.stat().st_size,
                        "sha256": sha,
                    },
                )
    return [(path.name, sha, recorded.get(path.name)) for path, sha in rebuilt]
