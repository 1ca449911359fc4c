"""Which releases keep their files (EXPORTS_KEEP_LAST, EXPORTS_KEEP_EVERY), removing the others' and
the stored pieces nothing uses any more, and serving a kept release's files.

The latest release keeps every file in full. An older kept release keeps its manifest and blobs
(hard links), and its CSV and .gz are assembled from the shared segments when downloaded. A release
not kept keeps its ReleaseFile rows (names, sizes, checksums) and nothing on disk:
`manage.py export_dataset --release N` rebuilds its files from history.
"""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from ..models import Release, ReleaseFile
from . import segments
from .schema import TIDY_NAME

ASSEMBLED = {TIDY_NAME: segments.iter_csv, TIDY_NAME + ".gz": segments.iter_gzip}


def is_kept(number: int, latest: int) -> bool:
    """The latest release, the EXPORTS_KEEP_LAST before it, and every EXPORTS_KEEP_EVERY-th."""
    every = settings.EXPORTS_KEEP_EVERY
    return number > latest - max(settings.EXPORTS_KEEP_LAST, 1) or bool(every and number % every == 0)


def _release_folders(root: Path) -> list[tuple[int, Path]]:
    return sorted((int(path.name), path) for path in root.glob("[0-9]*") if path.name.isdigit() and path.is_dir())


def apply_retention(root: Path, *, latest: Release) -> list[int]:
    """Remove the files of releases not kept, and the latest-only full CSVs of older ones; return the
    numbers whose files were removed."""
    removed = []
    referenced: set[str] = set()
    for number, folder in _release_folders(root):
        if number > latest.number:
            continue
        if not is_kept(number, latest.number):
            shutil.rmtree(folder, ignore_errors=True)
            segments.manifest_path(root, number).unlink(missing_ok=True)
            removed.append(number)
            continue
        if number < latest.number:
            for name in ASSEMBLED:  # assembled from the segments when downloaded
                (folder / name).unlink(missing_ok=True)
        try:
            manifest = json.loads(segments.manifest_path(root, number).read_text())
        except (OSError, ValueError):
            continue
        referenced.update(f"{entry[3]}.pack" for entry in manifest.get("segments", []))
        referenced.update(manifest.get("blobs", {}).values())
    store = segments.store_root(root)
    for path in [*store.glob("packs/*.pack"), *store.glob("blobs/*/*")]:
        if path.name not in referenced and not path.name.startswith("r" + str(latest.number) + "-"):
            path.unlink(missing_ok=True)
    return removed


def open_release_file(release_file: ReleaseFile) -> BinaryIO | Iterator[bytes] | None:
    """A release file's bytes: the file itself, or its segments in order; None when it must be rebuilt."""
    root = Path(settings.EXPORTS_ROOT)
    path = root / release_file.path
    if path.is_file():
        return path.open("rb")
    assemble = ASSEMBLED.get(release_file.name)
    try:
        manifest = json.loads(segments.manifest_path(root, release_file.release.number).read_text())
    except (OSError, ValueError):
        return None
    if assemble is None:
        return None
    return assemble(root, manifest["segments"])


def on_disk(release_file: ReleaseFile) -> bool:
    path = Path(settings.EXPORTS_ROOT) / release_file.path
    manifest = segments.manifest_path(Path(settings.EXPORTS_ROOT), release_file.release.number)
    return path.is_file() or (release_file.name in ASSEMBLED and manifest.is_file())
