"""Reads computed once per release and kept in the cache, without a stampede when a release is published.

A new release makes every entry of the one before unreachable (the key names the release). The first
readers after it would each compute the same summaries (seconds of queries on the whole dataset) at
the same time, on every web process, while warm_caches (dataset/warming.py) computes them once more in
the worker. Instead, one process computes (it holds a short lock in the cache) and the others answer
at once with the previous release's entry; a reader that finds no previous entry waits for the one
being computed (at most WAIT_SECONDS, then computes it too). So a page may show the release before
for the few seconds a computation takes, and never waits for it if anything is in the cache.
"""

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

KEEP_SECONDS = 3600  # an entry lives this long after it was computed (a release may be current for days)
LOCK_SECONDS = 120  # a computation that died leaves the lock for this long at most
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.1
_MISSING = object()


def per_release(family: str, version: str, compute: Callable[[], Any]) -> Any:
    """`compute()` for `version` (naming the release), kept in the cache under `family:version`."""
    key, last_key, lock_key = f"{family}:{version}", f"{family}:last", f"{family}:{version}:computing"
    kept = cache.get(key, _MISSING)
    if kept is not _MISSING:
        return kept
    if not cache.add(lock_key, 1, LOCK_SECONDS):  # another process is computing this release's entry
        last = cache.get(last_key, _MISSING)
        if last is not _MISSING:
            return last
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            kept = cache.get(key, _MISSING)
            if kept is not _MISSING:
                return kept
    try:
        kept = compute()
        cache.set_many({key: kept, last_key: kept}, KEEP_SECONDS)
    finally:
        cache.delete(lock_key)
    return kept
