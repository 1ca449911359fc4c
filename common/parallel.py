"""Run a few array operations side by side on the machine's cores.

Arrow's compute kernels and numpy's large operations release the GIL, so threads let the
independent passes over a million-row upload (hashing three text columns, parsing the values,
a binary search in two halves) use more than one core. The pool is made on first use in each
process, so a Celery worker forked from a parent that used it gets its own threads.
"""

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
MIN_ROWS = 200_000  # below this, a thread costs more than it saves

T = TypeVar("T")


def pool() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        _pool = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 1)), thread_name_prefix="arrays")
        _pool_pid = os.getpid()
    return _pool


def submit(function: Callable[..., T], *args: Any, rows: int = MIN_ROWS) -> Future[T]:
    """`function(*args)` on the pool when the work is large enough, else at once in this thread."""
    if rows < MIN_ROWS:
        future: Future[T] = Future()
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # handed over like the pool does, raised by .result()
            future.set_exception(exc)
        return future
    return pool().submit(function, *args)


def searchsorted(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """np.searchsorted(haystack, needles), with the needles split in two halves searched side by side."""
    if len(needles) < MIN_ROWS:
        return np.searchsorted(haystack, needles)
    half = len(needles) // 2
    out = np.empty(len(needles), dtype=np.intp)

    def search(start: int, stop: int) -> None:
        out[start:stop] = np.searchsorted(haystack, needles[start:stop])

    second = pool().submit(search, half, len(needles))
    search(0, half)
    second.result()
    return out
