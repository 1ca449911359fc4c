"""Publishing a release's built files to the "releases" store, and serving them from it.

The exports are built in the worker's EXPORTS_ROOT (local working files: segments, manifests, blobs).
What readers download is the store's copy, under the ReleaseFile's path (`<number>/<name>`):
- STORAGE_BACKEND=local: the store is EXPORTS_ROOT itself; publishing has nothing to do and downloads
  are streamed from there (retention.open_release_file: a kept older release's CSV is assembled from
  its segments);
- a remote store (S3): every file of the latest release is uploaded after it is built (its CSV and .gz
  assembled from their segments; its Parquet and JHU files by the follow-up, finishing.py, before they
  are listed); releases that retention does not keep are removed from the store too; downloads
  redirect to a signed link.
"""

import logging
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings
from django.core.files.storage import Storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect

from common.storage import is_remote, put, releases_storage, signed_url

from ..models import Release, ReleaseFile
from .retention import is_kept, on_disk, open_release_file

logger = logging.getLogger(__name__)


def publish_latest(release: Release) -> int:
    """After the latest release's exports are built: publish its files, then remove from the store the
    releases retention no longer keeps; return how many files were uploaded."""
    sent = publish_release(release)
    if is_remote(releases_storage()):
        remove_unkept(latest=release.number)
    return sent


def publish_release(release: Release) -> int:
    """Put the release's built files into the store (each replacing any copy of the same name); return
    how many files were uploaded. Safe to run twice: a file already stored with its recorded size is
    not sent again."""
    storage = releases_storage()
    if not is_remote(storage):
        return 0
    sent = 0
    for release_file in release.files.all():
        if _stored_size(storage, release_file.path) == release_file.size:
            continue
        local = Path(settings.EXPORTS_ROOT) / release_file.path
        if local.is_file():
            put(local, release_file.path, storage=storage)
        else:  # a kept release's file assembled from its segments
            _put_assembled(release_file)
        sent += 1
    return sent


def publish_files(release: Release, names: list[str]) -> int:
    """Put files of the release's folder into a remote store before they are listed (the follow-up's
    Parquet and JHU files: finishing.py), so that no listed file is missing from the store; return how
    many were uploaded."""
    storage = releases_storage()
    if not is_remote(storage):
        return 0
    for name in names:
        put(Path(settings.EXPORTS_ROOT) / str(release.number) / name, f"{release.number}/{name}", storage=storage)
    return len(names)


def _stored_size(storage: Storage, name: str) -> int | None:
    try:
        return storage.size(name)
    except FileNotFoundError:
        return None


def _put_assembled(release_file: ReleaseFile) -> None:
    content = open_release_file(release_file)
    if content is None:
        raise FileNotFoundError(f"{release_file.path} is not built on this worker")
    with tempfile.TemporaryDirectory(prefix="publish-") as tmp:
        path = Path(tmp) / release_file.name
        with path.open("wb") as out:
            if hasattr(content, "read"):
                with cast(BinaryIO, content) as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
            else:
                for block in content:
                    out.write(block)
        put(path, release_file.path, storage=releases_storage())


def remove_unkept(*, latest: int) -> list[int]:
    """Delete from the store the files of releases older than `latest` that retention does not keep."""
    storage = releases_storage()
    removed = []
    folders, _ = storage.listdir("")
    for folder in folders:
        if not folder.isdigit() or int(folder) >= latest or is_kept(int(folder), latest):
            continue
        _, names = storage.listdir(folder)
        for name in names:
            storage.delete(f"{folder}/{name}")
        removed.append(int(folder))
    if removed:
        logger.info("Removed the files of releases %s from the store (not kept)", removed)
    return sorted(removed)


def downloadable(release_file: ReleaseFile, *, latest: int | None) -> bool:
    """Whether the file can be downloaded as it is (else it is rebuilt on demand), without asking a
    remote store: there, a release's files are published while retention keeps the release."""
    if is_remote(releases_storage()):
        return latest is None or is_kept(release_file.release.number, latest)
    return on_disk(release_file)


def download(release_file: ReleaseFile) -> HttpResponse | FileResponse:
    """A release file's download: a redirect to the store's signed link when the store is remote (and
    has the file), else streamed from this disk; 404 when it must be rebuilt first."""
    storage = releases_storage()
    if is_remote(storage) and storage.exists(release_file.path):
        return HttpResponseRedirect(signed_url(storage, release_file.path, filename=release_file.name))
    content = open_release_file(release_file)  # the file, its segments or its packed copy; never outside the exports
    if content is None:
        raise Http404(
            f"This file is rebuilt on demand: manage.py export_dataset --release {release_file.release.number}"
        )
    return FileResponse(content, as_attachment=True, filename=release_file.name)
