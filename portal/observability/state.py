"""Gauges read when Prometheus scrapes: submissions by status, the oldest waiting review, the latest
release, queue lengths and worker heartbeats. Read from the database, the broker and the cache, so
every web host reports the same figures; a source that cannot be read is left out of that scrape."""

import logging
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from contributions.models import Submission
from dataset.selectors import latest_release

from . import heartbeat

logger = logging.getLogger(__name__)


def queue_names() -> list[str]:
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each queue of the broker (Redis or the folder of `make run`); none inline."""
    if settings.TASKS_INLINE:
        return {}
    from portal.celery import app

    with app.connection_for_read() as connection:
        channel: Any = connection.default_channel
        return {name: int(channel._size(name)) for name in queue_names()}  # kombu's virtual transports


def _submissions() -> GaugeMetricFamily:
    family = GaugeMetricFamily("portal_submissions", "Submissions by kind and status", labels=["kind", "status"])
    counts = {
        (row["kind"], row["status"]): row["n"]
        for row in Submission.objects.values("kind", "status").annotate(n=Count("pk"))
    }
    for kind in Submission.Kind.values:
        for status in Submission.Status.values:
            family.add_metric([kind, status], counts.get((kind, status), 0))
    return family


def _oldest_review() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "portal_review_oldest_waiting_seconds",
        "Age of the oldest submission waiting for a reviewer (awaiting or in review); 0 when none waits",
    )
    oldest = Submission.objects.filter(status__in=Submission.REVIEWABLE).aggregate(oldest=Min("created_at"))["oldest"]
    family.add_metric([], max(0.0, time.time() - oldest.timestamp()) if oldest else 0.0)
    return family


def _latest_release() -> Iterator[GaugeMetricFamily]:
    release = latest_release()
    number = GaugeMetricFamily("portal_release_latest_number", "Number of the latest release (0 before the first)")
    number.add_metric([], release.number if release else 0)
    created = GaugeMetricFamily(
        "portal_release_latest_timestamp_seconds", "When the latest release was made (Unix time; 0 before the first)"
    )
    created.add_metric([], release.created_at.timestamp() if release else 0)
    yield number
    yield created


def _queues() -> GaugeMetricFamily:
    family = GaugeMetricFamily("portal_celery_queue_length", "Tasks waiting in each Celery queue", labels=["queue"])
    for name, length in queue_lengths().items():
        family.add_metric([name], length)
    return family


def _heartbeats() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "portal_worker_heartbeat_age_seconds",
        "Seconds since a worker of each queue last ran the heartbeat task (absent: never seen)",
        labels=["queue"],
    )
    for name, age in heartbeat.ages().items():
        if age is not None:
            family.add_metric([name], age)
    return family


class PortalStateCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        for part in (_submissions, _oldest_review, _latest_release, _queues, _heartbeats):
            try:
                produced = part()
                yield from (produced if not isinstance(produced, GaugeMetricFamily) else [produced])
            except Exception:  # one unreadable source must not hide the others
                logger.warning("Metrics: %s could not be read", part.__name__.strip("_"), exc_info=True)


REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(PortalStateCollector())
