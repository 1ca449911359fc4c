"""A ceiling on the memory one piece of work may take, in the process that runs it.

`memory_limit(megabytes)` lowers the soft RLIMIT_DATA (heap and private anonymous mappings, which
is where Python, numpy and Arrow allocate) for the duration of the block and restores it after; an
allocation past it raises MemoryError instead of growing until the machine kills something. Where
the platform has no RLIMIT_DATA, or with 0 megabytes, it does nothing. The limit is per process:
use it only where the process does nothing else at the time (a Celery worker child), never in a
web server's threads.
"""

import contextlib
from collections.abc import Iterator

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]


@contextlib.contextmanager
def memory_limit(megabytes: int) -> Iterator[None]:
    limit_kind = getattr(resource, "RLIMIT_DATA", None) if resource is not None else None
    if not megabytes or limit_kind is None:
        yield
        return
    soft, hard = resource.getrlimit(limit_kind)
    wanted = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    try:
        resource.setrlimit(limit_kind, (wanted, hard))
    except (ValueError, OSError):  # pragma: no cover - refused by the platform: run without
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(limit_kind, (soft, hard))
