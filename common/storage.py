"""Files shared by the web servers and the workers, through Django's STORAGES: a local path when a
worker needs one, publishing a built file under a fixed name, and serving a stored file.

The web process and the workers exchange storage names (Submission.file, normalised_path, the
problems CSV, ReleaseFile.path), never local paths: with STORAGE_BACKEND=s3 they share no disk.
The "default" storage holds uploads, normalised frames and problem CSVs; "releases" holds the
published release files (settings.STORAGES, docs/storage.md).
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.core.signals import setting_changed
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

RELEASES = "releases"
COPY_CHUNK = 1 << 20


def _s3_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    try:
        from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as EndpointUnreachable
    except ImportError:  # installs without the S3 backend
        return (), ()
    return (BotoCoreError, ClientError), (EndpointUnreachable, HTTPClientError)


# Any failure of the store: never the fault of a file a volunteer sent (the task retries, then says
# the problem is on our side). The store being unreachable is worth retrying in every task.
STORE_ERRORS: tuple[type[Exception], ...] = (OSError, *_s3_errors()[0])
STORE_UNREACHABLE: tuple[type[Exception], ...] = _s3_errors()[1]


class ExportsStorage(FileSystemStorage):
    """The local store of release files: EXPORTS_ROOT itself, followed when a test changes it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        setting_changed.connect(self._follow_exports_root)

    @cached_property
    def base_location(self) -> str:
        return str(settings.EXPORTS_ROOT)

    def _follow_exports_root(self, *, setting: str, **kwargs: Any) -> None:
        if setting == "EXPORTS_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def releases_storage() -> Storage:
    return storages[RELEASES]


def local_path(storage: Storage, name: str) -> Path | None:
    """Where `name` is on this machine's disk, or None for a remote store (S3)."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None


def is_remote(storage: Storage) -> bool:
    return local_path(storage, "probe") is None


@contextmanager
def local_copy(name: str, *, storage: Storage | None = None) -> Iterator[Path]:
    """A local file with the stored file's bytes, for readers that need a path (pandas, pyarrow).

    The stored file itself when the store is this disk; else a temporary copy, written in chunks
    and removed afterwards. Never the whole file in memory.
    """
    storage = storage or default_storage
    path = local_path(storage, name)
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(f"{name} is missing from storage")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="stored-") as tmp:
        copy = Path(tmp) / (Path(name).name or "file")
        with storage.open(name, "rb") as source, copy.open("wb") as target:
            remote = getattr(source, "obj", None)  # an S3 object: downloaded straight into the copy
            if remote is not None and hasattr(remote, "download_fileobj"):
                remote.download_fileobj(target)
            else:
                shutil.copyfileobj(source, target, COPY_CHUNK)
        yield copy


def put(path: Path, name: str, *, storage: Storage) -> str:
    """Store the local file `path` under exactly `name`, replacing what was there; nothing to do when
    `name` already is that file (a local store whose folder is where the file was built)."""
    target = local_path(storage, name)
    if target is not None and target.exists() and os.path.samefile(target, path):
        return name
    if target is not None:
        storage.delete(name)  # a file system store would otherwise choose another name
    with path.open("rb") as handle:
        saved = storage.save(name, File(handle, name=Path(name).name))
    if saved != name:
        raise OSError(f"the store kept {name} as {saved}")
    return saved


def signed_url(storage: Storage, name: str, *, filename: str) -> str:
    """A link to the stored file that works without the portal (signed, for AWS_QUERYSTRING_EXPIRE
    seconds), which saves it as `filename`."""
    parameters = {"ResponseContentDisposition": f'attachment; filename="{filename}"'}
    try:
        return storage.url(name, parameters=parameters)  # type: ignore[call-arg]  # S3Storage's signature
    except TypeError:
        return storage.url(name)


def serve(storage: Storage, name: str, *, filename: str) -> HttpResponse | FileResponse:
    """A download of a stored file: a redirect to the store when it is remote, else streamed from disk
    (FileResponse reads it in blocks); never the whole file in memory."""
    if is_remote(storage):
        return HttpResponseRedirect(signed_url(storage, name, filename=filename))
    return FileResponse(storage.open(name, "rb"), as_attachment=True, filename=filename)
