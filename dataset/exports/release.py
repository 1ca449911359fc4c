"""A release's export files: every format written for the latest release and recorded as ReleaseFile
rows (running it twice gives the same files), and `export`, one format into any folder."""

import hashlib
import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..models import Release, ReleaseFile
from ..selectors import latest_release
from .datapackage import write_datapackage
from .jhu import write_jhu
from .parquet import write_parquet
from .schema import JHU_NAME, PARQUET_NAME, TIDY_NAME
from .tidy import write_tidy

FORMATS = ("tidy", "jhu", "parquet", "datapackage")


def export(fmt: str, directory: Path, *, release: Release | None = None) -> list[Path]:
    """Write one format into `directory` and return the files written."""
    directory = Path(directory)
    if fmt == "tidy":
        return write_tidy(directory)
    if fmt == "jhu":
        return write_jhu(directory)
    if fmt == "parquet":
        return write_parquet(directory)
    if fmt == "datapackage":
        return write_datapackage(directory, release=release or latest_release())
    raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


def _format_of(name: str) -> str:
    if name == TIDY_NAME:
        return "csv"
    if name == TIDY_NAME + ".gz":
        return "csv.gz"
    if name == PARQUET_NAME:
        return "parquet"
    if name.startswith(JHU_NAME.split("{", 1)[0]):
        return "jhu"
    return "datapackage"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_release_exports(*, release: Release) -> list[ReleaseFile]:
    """Write every format for the latest release and record its files; a second run does nothing.

    Exports describe the dataset as it is now, so only the latest release gets them: an older
    release's task finds a newer one and returns without writing.
    """
    latest = latest_release()
    if latest is None or latest.pk != release.pk:
        return []
    root = Path(settings.EXPORTS_ROOT)
    target = root / str(release.number)
    existing = list(release.files.all())
    if release.exports_built_at and existing and all((root / f.path).is_file() for f in existing):
        return existing
    staging = root / f".{release.number}.tmp-{uuid.uuid4().hex}"
    try:
        written = [
            *write_tidy(staging),
            *write_jhu(staging),
            *write_parquet(staging),
            *write_datapackage(staging, release=release, tidy_written=True),
        ]
        target.mkdir(parents=True, exist_ok=True)
        records: list[ReleaseFile] = []
        for path in written:
            final = target / path.name
            os.replace(path, final)
            records.append(
                ReleaseFile.objects.update_or_create(
                    release=release,
                    name=path.name,
                    defaults={
                        "format": _format_of(path.name),
                        "path": f"{release.number}/{path.name}",
                        "size": final.stat().st_size,
                        "sha256": _sha256(final),
                    },
                )[0]
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    Release.objects.filter(pk=release.pk).update(exports_built_at=timezone.now())
    return records
