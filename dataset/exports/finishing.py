"""The follow-up of a release's exports, off the release's path (`dataset.tasks.finish_exports`, queued
after `build_exports` on the exports queue): the files a release does not write itself.

- the Parquet file and the JHU files of the metrics that changed (the others are the previous
  release's, linked by the release): written while the release is still the latest, then added to its
  manifest, which is marked finished; a release that is no longer the latest is skipped (its files are
  rebuilt on demand: `manage.py export_dataset --release N`);
- the whole-file SHA-256s of its CSV and .gz, which are served from their segments.

Safe to run twice: a finished manifest is not written again, and only pending checksums are recorded.
"""

import hashlib
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings

from .. import snapshots
from ..models import Release, ReleaseFile
from ..selectors import latest_release
from . import manifests, publish, segments, streaming, tidy_index
from .ends import ends_of, with_ends
from .jhu_table import write_jhu_from_table
from .parquet import write_parquet
from .retention import apply_retention, open_release_file
from .schema import PARQUET_NAME
from .store_lock import store_lock
from .table import Lookups

PENDING = ""  # ReleaseFile.sha256 of a file whose checksum is not recorded yet


def finish(release: Release) -> int:
    """Write what the release left to its follow-up and record its pending checksums; return how many
    files were written or checksummed. Then keep the release's value snapshot whole with its tidy index,
    what the next release's exports read (changes.py)."""
    snapshots.compact(release)  # whole again, off the release's path: one pass over every value
    written = write_remaining_files(release)
    recorded = record_checksums(release)
    if written:
        apply_retention(Path(settings.EXPORTS_ROOT), latest=release)  # older releases' files compressed now
    index_snapshot(release)
    return written + recorded


def index_snapshot(release: Release) -> bool:
    """Keep the tidy index of `release`'s whole snapshot (tidy_index.py) while it is the latest release with
    files; whether it is there."""
    if not _is_latest(release) or release.exports_built_at is None:
        return False
    values = snapshots.load(release)
    if values is None or values.delta is not None:
        return False
    ends = ends_of(release, at=release.exports_built_at)  # the marks as the release's files saw them
    return tidy_index.ensure(values, with_ends(Lookups.read(), ends), ends)


def write_remaining_files(release: Release) -> int:
    """The Parquet file and the changed metrics' JHU files of `release` when it is still the latest and
    they are not written yet; return how many files were written."""
    root = Path(settings.EXPORTS_ROOT)
    manifest = manifests.read_raw(root, release.number)
    if manifest is None or manifest.get("finished", True) or not _is_latest(release):
        return 0
    ends = ends_of(release, at=release.exports_built_at)  # the marks as the release's files saw them (ends.py)
    lookups = with_ends(Lookups.read(), ends)
    values = snapshots.load(release) or snapshots.advance(release)
    to_write = manifest.get("jhu_to_write")
    work = root / f".{release.number}.finish-{uuid.uuid4().hex}"
    try:  # a window of dates, a metric at a time: memory as a part's, not the whole table's (streaming.py)
        paths = write_parquet(work, lookups=lookups, parts=streaming.tidy_parts(values, lookups, ends))
        for table in streaming.metric_tables(values, ends, None if to_write is None else set(to_write)):
            paths += write_jhu_from_table(work, table)
        with store_lock(root):  # retention waits until the manifest lists the new blobs (store_lock.py)
            if not _is_latest(release):  # a newer release came meanwhile: its own follow-up writes its files
                return 0
            blobs = {path.name: segments.store_blob(root, path) for path in paths}
            sizes = {name: segments.blob_path(root, sha).stat().st_size for name, sha in blobs.items()}
            folder = root / str(release.number)
            for name, sha in blobs.items():
                segments.link(segments.blob_path(root, sha), folder / name)
            manifest = manifests.read_raw(root, release.number) or manifest  # as the store has it now
            manifest["blobs"] = dict(sorted({**manifest["blobs"], **blobs}.items()))
            manifest["finished"] = True
            manifests.write_raw(root, release.number, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    publish.publish_files(release, sorted(blobs))  # in a remote store before they are listed (docs/storage.md)
    for name, sha in blobs.items():
        ReleaseFile.objects.update_or_create(
            release=release,
            name=name,
            defaults={
                "format": "parquet" if name == PARQUET_NAME else "jhu",
                "path": f"{release.number}/{name}",
                "size": sizes[name],
                "sha256": sha,
            },
        )
    return len(blobs)


def _is_latest(release: Release) -> bool:
    latest = latest_release()
    return latest is not None and latest.pk == release.pk


def record_checksums(release: Release) -> int:
    """Record the SHA-256 of every file of `release` whose checksum is pending; return how many."""
    recorded = 0
    for release_file in release.files.filter(sha256=PENDING):
        digest = sha256_of_content(release_file)
        if digest is None:  # not on this worker any more (retention removed it): rebuilt on demand
            continue
        ReleaseFile.objects.filter(pk=release_file.pk, sha256=PENDING).update(sha256=digest)
        recorded += 1
    return recorded


def sha256_of_content(release_file: ReleaseFile) -> str | None:
    """The SHA-256 of the file as it is downloaded; None when it cannot be served from this disk."""
    content = open_release_file(release_file)
    if content is None:
        return None
    digest = hashlib.sha256()
    if hasattr(content, "read"):
        with cast(BinaryIO, content) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    else:
        for block in content:
            digest.update(block)
    return digest.hexdigest()
