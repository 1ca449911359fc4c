"""Prometheus metrics: requests by view and status, Celery tasks by queue, and the `/metrics` view.

Counters and histograms live in the process that counts them. With several processes (gunicorn
workers, Celery's pool) set PROMETHEUS_MULTIPROC_DIR to an empty folder, the same for the web server
and the workers of one host, before they start: prometheus_client's multiprocess mode then writes
each process's values there and `/metrics` adds them up (docs/deployment.md). The state of the portal
(submissions, reviews, releases, queues, heartbeats) is read at each scrape (`state`).

`/metrics` answers only the addresses in METRICS_ALLOWED_IPS (the client as TRUSTED_PROXIES reports
it) or a request with `Authorization: Bearer <METRICS_TOKEN>`; everyone else gets 403.
"""

import hmac
import ipaddress
import os
import time
from typing import Any

from celery import signals as celery_signals
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from common.client_ip import client_address

from . import state as portal_state

disable_created_metrics()  # no `_created` series beside each counter: half the lines, nothing lost

REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by view (URL name), method and status code",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by view (URL name)",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = Counter(
    "portal_celery_tasks",
    "Celery tasks finished, by task, queue and outcome (succeeded, failed, retried)",
    ["task", "queue", "outcome"],
)
TASK_SECONDS = Histogram(
    "portal_celery_task_duration_seconds",
    "Time a Celery task ran, by task and queue",
    ["task", "queue"],
    buckets=(0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0),
)

UNRESOLVED = "<unresolved>"  # a URL that matched no route: one label, whatever was asked


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or UNRESOLVED) if match is not None else UNRESOLVED


def observe_request(request: HttpRequest, status: int, seconds: float) -> None:
    view = view_label(request)
    REQUESTS.labels(view=view, method=request.method or "", status=str(status)).inc()
    REQUEST_SECONDS.labels(view=view).observe(seconds)


# Tasks: timed from task_prerun to task_postrun in the process that runs them.
_started: dict[str, float] = {}


def task_queue(task: Any) -> str:
    """The queue a task came from; "inline" when it ran in the caller (no broker)."""
    request = getattr(task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return "inline"
    delivery = getattr(request, "delivery_info", None) or {}
    return str(delivery.get("routing_key") or delivery.get("queue") or "unknown")


def _task_started(task_id: str = "", **_: Any) -> None:
    _started[task_id] = time.monotonic()


def _task_ended(task_id: str = "", task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id, None)
    if task is None:
        return
    queue = task_queue(task)
    if started is not None:
        TASK_SECONDS.labels(task=task.name, queue=queue).observe(time.monotonic() - started)
    # No state: an inline task whose error propagated to its caller before Celery recorded one.
    outcome = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried", None: "failed"}.get(state, "")
    if outcome:
        TASKS.labels(task=task.name, queue=queue, outcome=outcome).inc()


def connect() -> None:
    celery_signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="observability-metrics-prerun")
    celery_signals.task_postrun.connect(_task_ended, weak=False, dispatch_uid="observability-metrics-postrun")


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def allowed(request: HttpRequest) -> bool:
    """A request with the bearer token, or from an allowed address (as the trusted proxies report it)."""
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    address = client_address(request)
    if address is None:
        return False
    for entry in getattr(settings, "METRICS_ALLOWED_IPS", ()):
        if address in ipaddress.ip_network(entry, strict=False):
            return True
    return False


def exposition() -> bytes:
    """The text Prometheus reads: this host's counters (all processes in multiprocess mode), then the state."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    return counted + generate_latest(portal_state.REGISTRY)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
