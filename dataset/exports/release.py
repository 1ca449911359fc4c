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

A release rewrites only the segments whose values changed (changes.py plans which: patched lines, or
groups formatted again); every other segment is the previous release's. Releases that retention.py
does not keep lose their files; `export_dataset --release N` rebuilds them from history, byte for byte
(the checksums are recorded in ReleaseFile).
"""

import hashlib
import itertools
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .. import snapshots
from ..citation import CITATION_NAME
from ..errata import ERRATA_NAME
from ..errata import write_release_file as write_errata_file
from ..models import Release, ReleaseFile
from ..selectors import latest_release
from . import changes, manifests, segments
from .datapackage import LOOKUP_TABLES, tables_digest, write_datapackage
from .ends import cut, ends_of, with_ends
from .incremental import Plan
from .jhu_table import jhu_names, write_jhu_from_table
from .manifests import Entry, Manifest
from .parquet import write_parquet
from .retention import ASSEMBLED, apply_retention
from .schema import JHU_NAME, PARQUET_NAME, TIDY_NAME
from .segments import link, sha256_of
from .store_lock import store_lock
from .table import Lookups, as_of_release, from_database
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
    if values.delta is None:  # written whole since the merge (warm_caches): the delta says what changed
        values = snapshots.load_delta(release) or values
    previous = Release.objects.filter(number__lt=release.number, exports_built_at__isnull=False).first()
    read = manifests.read_listing(root(), previous.number) if previous else None
    before, listing = read if read is not None else (None, manifests.Listing())
    reader = segments.PackReader(root())
    try:
        previous_csv = _previous_csv(before, listing, reader)
        plan = changes.plan(previous, values, before, listing, lookups, ends, lambda s: _text(listing, previous_csv, s))
    finally:
        reader.close()
    with store_lock(root()):  # from the first piece stored to the manifest listing it (store_lock.py)
        records = _write_release(release, plan, lookups, before, listing)
        Release.objects.filter(pk=release.pk).update(exports_built_at=started)
        apply_retention(root(), latest=release)
    return records


def _complete(release: Release, files: list[ReleaseFile]) -> bool:
    """Whether every file is in the release's folder, the CSV and .gz as segments listed by its manifest."""
    read = manifests.read_listing(root(), release.number)
    has_segments = read is not None and bool(read[1])
    return all(has_segments if f.name in ASSEMBLED else (root() / f.path).is_file() for f in files)


def _write_release(
    release: Release, plan: Plan, lookups: Lookups, before: Manifest | None, listing: manifests.Listing
) -> list[ReleaseFile]:
    """Store the CSV's new segments, write the blobs and the manifest, and record the release's files;
    `listing`: the previous release's segments."""
    target = root() / str(release.number)
    staging = root() / f".{release.number}.tmp-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        # The Parquet file and the changed metrics' JHU files are the follow-up's (finishing.py): it
        # writes them while the release is still the latest and marks the manifest finished.
        finished = before is not None and before.get("finished", True)
        to_write = plan.metrics if finished else None
        manifest: Manifest = {
            "number": release.number,
            "fingerprint": lookups.fingerprint,
            "layout": segments.LAYOUT,
            "segment_rows": segments.SEGMENT_ROWS,
            "blobs": {},
            "finished": False,
            "jhu_to_write": None if to_write is None else sorted(to_write),
            "tables_digest": tables_digest(plan.used, lookups.fingerprint),
        }
        listing, tidy_sizes = _write_tidy_files(plan, lookups, listing, manifest)
        blobs = _write_blobs(staging, release, plan.used, lookups, before, to_write, manifest["tables_digest"])
        manifest["blobs"] = blobs
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        manifests.write_listing(root(), release.number, manifest, listing)
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
    plan: Plan, lookups: Lookups, before: manifests.Listing, manifest: Manifest
) -> tuple[manifests.Listing, dict[str, int]]:
    """The CSV's and .gz's segments: new ones where values changed (patched when only values did), the
    previous release's (`before`) for the others. Nothing is copied: both files are served from the
    segments (retention.open_release_file), and their whole-file checksums are recorded by finishing.py
    later. Returns the release's segments and each file's size."""
    ids = segments.segment_ids(plan.table, lookups)
    wanted = None  # every segment of the table: a release written whole (equal segments are still reused)
    if plan.dropped is not None:  # the previous release's segments, less those of the groups whose rows moved
        listing = before.copy()
        for group in plan.dropped:
            for piece in range(segments.BLOCK_FACTOR):
                listing.drop(group + piece)
        wanted = (plan.segments or set()) - set(plan.patched)
    else:  # none of the base's segments unless written again
        listing = manifests.Listing(before.base, removed=set(before.base.entries))
    writer = segments.PackWriter(root(), f"r{manifest['number']}-{uuid.uuid4().hex[:8]}")
    try:
        texts = itertools.chain(
            [(segments.HEADER_ID, segments.HEADER)],
            plan.patched.items(),
            segments.iter_segments(plan.table, lookups, ids, wanted),  # formatted a chunk at a time
        )
        for segment, data in texts:
            entry = before.get(segment)
            if entry is None or entry[1] != hashlib.sha256(data).hexdigest():
                entry, _ = writer.add(segment, data)
            listing.put(entry)
    finally:
        writer.close()
    plain, packed = listing.sizes()
    return listing, {TIDY_NAME: plain, GZ_NAME: packed}


def _text(listing: manifests.Listing, read: Callable[[Entry], bytes], segment: int) -> bytes | None:
    entry = listing.get(segment)
    return None if entry is None else read(entry)


def _previous_csv(
    before: Manifest | None, listing: manifests.Listing, reader: segments.PackReader
) -> Callable[[Entry], bytes]:
    """A reader of the previous release's segments: from its full CSV when it is still there, else unpacked."""
    offsets: dict[int, int] = {}
    handle = None
    path = root() / str((before or {}).get("number", "")) / TIDY_NAME
    if before is not None and path.is_file():  # a store from before the CSV was served from its segments
        position = 0
        for entry in listing.entries():
            offsets[entry[0]] = position
            position += entry[2]
        if path.stat().st_size == position:
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
    staging: Path,
    release: Release,
    used: tuple[list[int], list[int]],
    lookups: Lookups,
    before: Manifest | None,
    to_write: set[int] | None,
    digest: str,
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
    previous = (before or {}).get("blobs", {})
    same_tables = (before or {}).get("tables_digest") == digest and all(name in previous for name in LOOKUP_TABLES)
    if same_tables:  # the same places and sources, the same rows of them: the lookup tables are the same files
        blobs.update({name: previous[name] for name in LOOKUP_TABLES})
    written = [
        *write_datapackage(work, release=release, tidy_written=True, used=used, lookup_tables=not same_tables),
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
