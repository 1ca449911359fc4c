"""The follow-up of a release's exports, off the release's path: the whole-file SHA-256s of its CSV and
.gz, which a release does not write whole (they are served from the segments, release.py).

Run by the `dataset.tasks.finish_exports` task after `build_exports`; safe to run twice: it records
only the checksums still pending, streaming each file's segments once.
"""

import hashlib
from typing import BinaryIO, cast

from ..models import Release, ReleaseFile
from .retention import open_release_file

PENDING = ""  # ReleaseFile.sha256 of a file whose checksum is not recorded yet


def is_pending(release_file: ReleaseFile) -> bool:
    return release_file.sha256 == PENDING


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
