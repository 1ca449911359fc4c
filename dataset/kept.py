"""Reads computed once per release and kept in the cache, without a stampede when a release is published.

A new release makes every entry of the one before unreachable (the key names the release). The first
readers after it would each compute the same summaries (seconds of queries on the whole dataset) at
the same time, on every web process, while warm_caches (dataset/warming.py) computes them once more in
the worker. Instead, one process computes (it holds a short lock in the cache) and the others answer
at once with the previous release's entry; a reader that finds no previous entry waits for the one
being computed (at most WAIT_SECONDS, then computes it too). So a page may show the release before
for the few seconds a computation takes, and never waits for it if anything is in the cache.

In production (RELEASE_STALE_SECONDS, 60) a reader does not compute a new release's entry at all in the
first seconds after it is missed while the release before has one: warm_caches, queued by the merge,
computes it in the worker (inside `fresh()`), and web requests keep answering at once meanwhile. Past
that, a reader computes it as above (the worker may be busy).
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache

KEEP_SECONDS = 3600  # an entry lives this long after it was computed (a release may be current for days)
LOCK_SECONDS = 120  # a computation that died leaves the lock for this long at most
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.1
_MISSING = object()
_computing = ContextVar("kept_computing", default=False)


@contextmanager
def fresh() -> Iterator[None]:
    """Within: entries missing for the latest release are computed, never answered from the one before."""
    token = _computing.set(True)
    try:
        yield
    finally:
        _computing.reset(token)


def per_release(family: str, version: str, compute: Callable[[], Any]) -> Any:
    """`compute()` for `version` (naming the release), kept in the cache under `family:version`."""
    key, last_key, lock_key = f"{family}:{version}", f"{family}:last", f"{family}:{version}:computing"
    found = cache.get_many([key, last_key])
    if key in found:
        return found[key]
    last = found.get(last_key, _MISSING)
    if last is not _MISSING and not _computing.get() and _within_grace(f"{family}:{version}:missed"):
        return last  # warm_caches computes it in the worker
    if not cache.add(lock_key, 1, LOCK_SECONDS):  # another process is computing this release's entry
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


def _within_grace(missed_key: str) -> bool:
    """Whether this release's entry was first missed less than RELEASE_STALE_SECONDS ago."""
    grace = getattr(settings, "RELEASE_STALE_SECONDS", 0)
    if grace <= 0:
        return False
    now = time.time()
    cache.add(missed_key, now, KEEP_SECONDS)
    first = cache.get(missed_key)
    return first is not None and now - float(first) < grace
