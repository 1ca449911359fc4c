"""One writer of the exports store at a time: what puts pieces into it and what removes them.

Retention removes the packs and blobs no manifest uses. A release (or its follow-up) stores its pieces
first and lists them in its manifest after, so retention running in between (a newer release's, or the
follow-up of an older one, in another worker process) would remove them. Both hold this lock from the
first piece stored to the manifest written, and retention holds it while it reads the manifests and
removes. A file lock (flock) on the store's own disk: EXPORTS_ROOT is each worker's (settings.py), so
the processes that share it share the machine. Re-entrant within a thread.
"""

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .manifests import store_root

_held = threading.local()


@contextmanager
def store_lock(root: Path) -> Iterator[None]:
    depth = getattr(_held, "depth", 0)
    if depth:
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth = depth
        return
    path = store_root(root) / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(handle, fcntl.LOCK_UN)
