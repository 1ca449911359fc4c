"""`/health/` for load balancers and monitors: each check answers "ok" or "failing", nothing else.

    GET /health/                    200 {"status": "ok", "checks": {"database": "ok", ...}}
                                    503 {"status": "failing", "checks": {..., "worker": "failing"}}
    GET /health/?checks=database,cache,broker,storage   only those

A load balancer should ask for the checks of the web host (`?checks=database,cache,broker,storage`):
a worker that falls behind (its heartbeat waits in a long queue) is for the monitoring to page about,
not a reason to take every web host out of service. Monitoring asks for everything.

Checks: `database` (a query), `cache` (a value written and read back: Redis in production, the
shared folder under `make run`), `broker` (Redis answers, or the broker folder is writable),
`storage` (a file written to the default storage, read back and deleted) and `worker` (every queue's
heartbeat is younger than HEALTH_WORKER_STALE_SECONDS). Without a broker (tasks inline) there is
neither `broker` nor `worker` to check. No login; the answer names no host, version or error: the
reasons are logged for the operator.
"""

import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from . import heartbeat

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3


class Failing(Exception):
    """A check found something wrong (the reason is logged, never shown)."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise Failing("SELECT 1 did not answer 1")


def check_cache() -> None:
    key, value = f"health:probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=60)
    try:
        if cache.get(key) != value:
            raise Failing("the cache did not give back what was written")
    finally:
        cache.delete(key)


def check_broker() -> None:
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        try:
            if not client.ping():
                raise Failing("Redis did not answer PING")
        finally:
            client.close()
        return
    options: dict[str, Any] = settings.CELERY_BROKER_TRANSPORT_OPTIONS  # the folder of `make run` (portal.file_broker)
    queue, writing = Path(options["data_folder_in"]), Path(options["writing_folder"])
    if not (queue.is_dir() and os.access(queue, os.R_OK | os.W_OK | os.X_OK)):
        raise Failing("the broker's queue folder cannot be used")
    with tempfile.NamedTemporaryFile(dir=writing, prefix=".health-"):  # where messages are written first
        pass


def check_storage() -> None:
    content = uuid.uuid4().bytes
    name = default_storage.save(f"health/{uuid.uuid4().hex}.probe", ContentFile(content))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != content:
                raise Failing("the storage did not give back what was written")
    finally:
        default_storage.delete(name)


def check_worker() -> None:
    stale = heartbeat.stale_queues()
    if stale:
        raise Failing(f"no recent heartbeat from the workers of: {', '.join(stale)}")


def checks() -> dict[str, Callable[[], None]]:
    """The checks that apply to this configuration, in the order they are reported."""
    found = {"database": check_database, "cache": check_cache}
    if not settings.TASKS_INLINE:
        found["broker"] = check_broker
    found["storage"] = check_storage
    if not settings.TASKS_INLINE:
        found["worker"] = check_worker
    return found


def run(names: list[str] | None = None) -> dict[str, str]:
    results = {}
    for name, check in checks().items():
        if names and name not in names:
            continue
        try:
            check()
            results[name] = "ok"
        except Exception:
            logger.warning("Health check %s is failing", name, exc_info=True)
            results[name] = "failing"
    return results


@never_cache
def health_view(request: HttpRequest) -> JsonResponse:
    names = [name.strip() for name in request.GET.get("checks", "").split(",") if name.strip()]
    results = run(names or None)
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": results}, status=200 if healthy else 503)
