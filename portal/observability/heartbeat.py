"""Worker heartbeats: beat sends `portal.observability.tasks.heartbeat` to every queue each
HEALTH_HEARTBEAT_SECONDS, and the worker that takes it writes the time in the shared cache; a worker
also writes one for each of its queues when it starts. `/health/` calls a queue whose heartbeat is
older than HEALTH_WORKER_STALE_SECONDS (or missing) failing."""

import time

from django.conf import settings
from django.core.cache import cache

KEY = "health:heartbeat:{queue}"


def beat(queue: str) -> None:
    cache.set(KEY.format(queue=queue), time.time(), timeout=None)


def ages() -> dict[str, float | None]:
    """Seconds since each queue's last heartbeat (None: never seen, or the cache forgot it)."""
    queues = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    stamps = cache.get_many([KEY.format(queue=queue) for queue in queues])
    now = time.time()
    return {
        queue: (max(0.0, now - stamp) if (stamp := stamps.get(KEY.format(queue=queue))) is not None else None)
        for queue in queues
    }


def stale_queues() -> list[str]:
    limit = settings.HEALTH_WORKER_STALE_SECONDS
    return [queue for queue, age in ages().items() if age is None or age > limit]


def on_worker_ready(sender: object = None, **_: object) -> None:
    """A worker that starts announces itself on its queues at once, not a beat interval later."""
    consumer = getattr(sender, "task_consumer", None)
    for queue in getattr(consumer, "queues", None) or ():
        beat(queue.name)
