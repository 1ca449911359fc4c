"""Which releases keep their files (EXPORTS_KEEP_LAST, EXPORTS_KEEP_EVERY), removing the others' and
the stored pieces nothing uses any more, and serving a kept release's files.

Every kept release keeps its manifest and blobs (hard links), the latest's in full, and its CSV and .gz
are assembled from the shared segments when downloaded (the latest's too). A release
not kept keeps its ReleaseFile rows (names, sizes, checksums) and nothing on disk:
`manage.py export_dataset --release N` rebuilds its files from history.
"""

import functools
import gzip
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from ..models import Release, ReleaseFile
from . import manifests, segments
from .schema import TIDY_NAME
from .store_lock import store_lock

ASSEMBLED = {TIDY_NAME: segments.iter_csv, TIDY_NAME + ".gz": segments.iter_gzip}


def is_kept(number: int, latest: int) -> bool:
    """The latest release, the EXPORTS_KEEP_LAST before it, and every EXPORTS_KEEP_EVERY-th."""
    every = settings.EXPORTS_KEEP_EVERY
    return number > latest - max(settings.EXPORTS_KEEP_LAST, 1) or bool(every and number % every == 0)


def _release_folders(root: Path) -> list[tuple[int, Path]]:
    return sorted((int(path.name), path) for path in root.glob("[0-9]*") if path.name.isdigit() and path.is_dir())


def apply_retention(root: Path, *, latest: Release) -> list[int]:
    """Remove the files of releases not kept and the stored pieces no kept release uses; an older kept
    release keeps its CSV and .gz as segments, and its other text files gzip-compressed. Return the
    numbers whose files were removed. Holds the store's lock (store_lock.py): a release or follow-up
    storing pieces it has not listed yet finishes first."""
    with store_lock(root):
        return _apply_retention(root, latest)


def _apply_retention(root: Path, latest: Release) -> list[int]:
    removed = []
    referenced: set[str] = set()
    bases: set[int] = set()
    latest_manifest = _manifest(root, latest.number)
    latest_blobs = set(latest_manifest.get("blobs", {}).values())
    # Until the follow-up has written the latest release's Parquet and JHU files (finishing.py), which
    # may be an older release's bytes, no file is compressed; the follow-up applies retention again.
    finished = latest_manifest.get("finished", True)
    for number, folder in _release_folders(root):
        if number > latest.number:  # a newer release's (an older follow-up applying retention): not ours
            manifest = _manifest(root, number)
            _reference(manifest, referenced, bases)
            referenced.update(f"{sha}{suffix}" for sha in manifest.get("blobs", {}).values() for suffix in ("", ".gz"))
            continue
        if not is_kept(number, latest.number):
            shutil.rmtree(folder, ignore_errors=True)
            manifests.manifest_path(root, number).unlink(missing_ok=True)
            removed.append(number)
            continue
        manifest = _manifest(root, number)
        _reference(manifest, referenced, bases)
        for name, sha in manifest.get("blobs", {}).items():
            if number == latest.number or sha in latest_blobs or not _compressible(name):
                referenced.add(sha)
                continue
            if not finished:  # left as it is, compressed or not, until the follow-up applies retention
                referenced.update({sha, f"{sha}.gz"})
                continue
            _compress(root, sha)
            referenced.add(f"{sha}.gz")
            (folder / name).unlink(missing_ok=True)
        if number < latest.number:
            for name in ASSEMBLED:  # assembled from the segments when downloaded
                (folder / name).unlink(missing_ok=True)
    store = manifests.store_root(root)
    for path in [*store.glob("packs/*.pack"), *store.glob("blobs/*/*")]:
        if path.name not in referenced and not path.name.startswith(f"r{latest.number}-"):
            path.unlink(missing_ok=True)
    for path in store.glob("manifests/base-*.json.gz"):
        number = int(path.name.split("-", 1)[1].split(".", 1)[0])
        if number not in bases and number < latest.number:
            path.unlink(missing_ok=True)
    return removed


def _reference(manifest: manifests.Manifest, packs: set[str], bases: set[int]) -> None:
    names, used = manifest.get("references", (set(), set()))
    packs.update(f"{name}.pack" for name in names)
    bases.update(used)


def _manifest(root: Path, number: int) -> manifests.Manifest:
    """What retention needs of the manifest: its blobs, whether it is finished, the packs and bases it uses."""
    return manifests.read_outline(root, number)


def _compressible(name: str) -> bool:
    return name.endswith((".csv", ".json"))


def _compress(root: Path, sha: str) -> None:
    packed = segments.blob_path(root, sha).with_suffix(".gz")
    plain = segments.blob_path(root, sha)
    if packed.exists() or not plain.exists():
        return
    staging = packed.with_name(f".{packed.name}.{uuid.uuid4().hex}")
    with plain.open("rb") as src, gzip.GzipFile(staging, "wb", compresslevel=6, mtime=0) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(staging, packed)


def _gunzip(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            yield block


def open_release_file(release_file: ReleaseFile) -> BinaryIO | Iterator[bytes] | None:
    """A release file's bytes: the file itself, its segments in order, or its compressed blob
    unpacked; None when it must be rebuilt (export_dataset --release N)."""
    root = Path(settings.EXPORTS_ROOT).resolve()
    path = (root / release_file.path).resolve()
    if not path.is_relative_to(root) or path == root:  # a record pointing outside the exports
        return None
    if path.is_file():
        return path.open("rb")
    manifest = manifests.read_manifest(root, release_file.release.number) or {}
    if release_file.name in ASSEMBLED and manifest.get("segments"):
        return ASSEMBLED[release_file.name](root, manifest["segments"])
    sha = manifest.get("blobs", {}).get(release_file.name)
    if sha is None:
        return None
    if segments.blob_path(root, sha).is_file():
        return segments.blob_path(root, sha).open("rb")
    packed = segments.blob_path(root, sha).with_suffix(".gz")
    return _gunzip(packed) if packed.is_file() else None


def on_disk(release_file: ReleaseFile) -> bool:
    """Whether the file can be served as it is (else it is rebuilt on demand)."""
    root = Path(settings.EXPORTS_ROOT)
    if (root / release_file.path).is_file():
        return True
    has_segments, blobs = _served_names(root, release_file.release.number)
    return (release_file.name in ASSEMBLED and has_segments) or release_file.name in blobs


def _served_names(root: Path, number: int) -> tuple[bool, frozenset[str]]:
    """Whether release `number`'s manifest lists segments, and the names of its blobs. The downloads page
    asks for every file of every earlier release: the manifest (0.9 MB of JSON once unpacked) is read
    once per version of it, not once per file and request."""
    path = manifests.manifest_path(root, number)
    try:
        stat = path.stat()
    except OSError:
        return False, frozenset()
    return _summary(root, number, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=128)
def _summary(root: Path, number: int, mtime_ns: int, size: int) -> tuple[bool, frozenset[str]]:
    manifest = manifests.read_raw(root, number) or {}
    has_segments = bool(manifest.get("segments")) or manifests.base_entries(root, manifest.get("base", -1)) is not None
    return has_segments, frozenset(manifest.get("blobs", {}))
