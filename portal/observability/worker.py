"""The Celery side of logs and metrics, connected by `portal.celery` before the worker or beat starts.

Logs: with LOG_FORMAT=json Celery configures no logging of its own (a `setup_logging` receiver), so
its loggers (`celery.worker`, the task trace lines of `celery.app.trace`, task loggers, billiard's
pool) reach settings.LOGGING's JSON handler like everything else; `--loglevel` still sets the level.
The worker's and beat's start-up banners (plain text on stdout) give way to one JSON line each.

Metrics: a host that runs only `celery worker` has no `/metrics` page. With WORKER_METRICS_PORT set,
the worker's main process serves its task counters and durations (`portal.observability.metrics`)
on that port, to the clients `/metrics` allows (METRICS_ALLOWED_IPS, or `Authorization: Bearer
METRICS_TOKEN`). The tasks run in the pool's child processes: their counts are added up through
prometheus_client's multiprocess mode, in PROMETHEUS_MULTIPROC_DIR, or in a fresh folder of its own
when none is set (made before any task is counted, and removed when the worker stops).
"""

import contextlib
import ipaddress
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from celery import signals
from celery.apps.beat import Beat

logger = logging.getLogger("portal.worker")
_made_folder: list[str] = []  # the multiprocess folder this worker made (removed at its end)
_servers: list[Any] = []


def _settings() -> Any:
    from django.conf import settings

    return settings


def json_logs() -> bool:
    return _settings().LOG_FORMAT == "json"


# --- logs --------------------------------------------------------------------------------------------


def keep_django_logging(loglevel: Any = None, **_: Any) -> None:
    """`setup_logging` receiver: Celery leaves the handlers alone (Django's LOGGING has set them).

    billiard's logger (the pool's "Process ... exited with signal 9") does not propagate and has no
    handler until Celery gives it one: it goes to the root's handler, errors only (as Celery has it)."""
    from celery.utils.log import get_multiprocessing_logger

    if loglevel:
        logging.getLogger().setLevel(loglevel)
    pool = get_multiprocessing_logger()
    if pool is not None:
        pool.propagate = True
        pool.setLevel(logging.ERROR)


def use_json_logs() -> None:
    """With JSON logs, Celery sets up no handler of its own (any `setup_logging` receiver tells it so),
    and Django's LOGGING applies from now on, before the worker's own checks (Celery's warning about
    running as root) and banner. Text logs stay Celery's, coloured for a console."""
    import celery.apps.worker
    from django.utils.log import configure_logging

    signals.setup_logging.connect(keep_django_logging, weak=False, dispatch_uid="portal-setup-logging")
    settings = _settings()
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    celery.apps.worker.safe_say = say_as_json


def say_as_json(message: str, f: Any = sys.__stderr__) -> None:
    """What Celery's worker prints from its signal handlers ("worker: Warm shutdown (MainProcess)"), as
    one JSON line. Written straight to the file descriptor, as Celery does: a signal handler must not
    wait for a logging handler's lock."""
    import datetime
    import json

    now = datetime.datetime.now(tz=datetime.UTC)
    line = {
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "level": "WARNING",
        "logger": "celery.apps.worker",
        "message": str(message).strip(),
    }
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.write(f.fileno(), (json.dumps(line) + "\n").encode())


class PortalBeat(Beat):
    """`celery beat` whose start-up banner is one JSON line when the logs are JSON."""

    def run(self) -> None:
        if json_logs():
            self.quiet = True
            use_json_logs()
            logging.getLogger("celery.beat").info(
                "Beat starting", extra={"scheduler": str(self.scheduler_cls), "max_interval": self.max_interval}
            )
        super().run()


# --- metrics -----------------------------------------------------------------------------------------


def on_worker_init(sender: Any = None, instance: Any = None, **_: Any) -> None:
    """`celeryd_init` (the worker's main process, before the pool starts): the logs, the banner and the
    multiprocess folder."""
    settings = _settings()
    if settings.WORKER_METRICS_PORT and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = tempfile.mkdtemp(prefix="portal-worker-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # the pool's children inherit it
        _made_folder.append(folder)
        # Django (and with it the metrics) is set up already; the metrics are all labelled, so their
        # values are made when a task is first counted: from now on, in the folder.
        from prometheus_client import values

        values.ValueClass = values.get_value_class()
    if settings.LOG_FORMAT == "json":
        use_json_logs()
        if instance is not None:
            instance.quiet = True  # the banner: replaced by a JSON line once the worker is ready


def permitted(address: str | None, authorization: str, allowed_ips: Iterable[str], token: str) -> bool:
    """What `/metrics` allows: the bearer token, or a client address in the allowed networks."""
    import hmac

    if token and authorization.startswith("Bearer ") and hmac.compare_digest(authorization[7:].strip(), token):
        return True
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped:
        client = client.ipv4_mapped
    return any(client in ipaddress.ip_network(entry, strict=False) for entry in allowed_ips)


def metrics_app(allowed_ips: Iterable[str], token: str) -> Callable[..., Any]:
    """The WSGI application of the worker's metrics port: prometheus_client's, behind the `/metrics` rules."""
    from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app
    from prometheus_client.multiprocess import MultiProcessCollector

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    counted = make_wsgi_app(registry)
    networks = list(allowed_ips)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not permitted(environ.get("REMOTE_ADDR"), environ.get("HTTP_AUTHORIZATION", ""), networks, token):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Forbidden\n"]
        return counted(environ, start_response)

    return app


def serve_metrics(port: int, addr: str = "0.0.0.0") -> Any:  # noqa: S104 (scraped from another host)
    """Serve the worker's metrics on `port` in a daemon thread; returns the server (`.shutdown()`)."""
    import threading
    from wsgiref.simple_server import make_server

    from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler

    settings = _settings()
    app = metrics_app(settings.METRICS_ALLOWED_IPS, settings.METRICS_TOKEN)
    server = make_server(addr, port, app, ThreadingWSGIServer, handler_class=_SilentHandler)
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    _servers.append(server)
    return server


def on_worker_ready(sender: Any = None, **_: Any) -> None:
    """`worker_ready` (main process): the metrics port opens, and the start is announced in one line."""
    settings = _settings()
    consumer = sender
    queues = sorted(queue.name for queue in (getattr(getattr(consumer, "task_consumer", None), "queues", None) or ()))
    hostname = getattr(consumer, "hostname", "")
    pool = getattr(getattr(consumer, "controller", None), "concurrency", None)
    if settings.WORKER_METRICS_PORT:
        serve_metrics(settings.WORKER_METRICS_PORT)
    if settings.LOG_FORMAT == "json":
        logger.info(
            "Worker ready",
            extra={
                "hostname": hostname,
                "queues": queues,
                "concurrency": pool,
                "metrics_port": settings.WORKER_METRICS_PORT or None,
            },
        )


def on_child_exit(pid: int | None = None, **_: Any) -> None:
    """`worker_process_shutdown`: a pool child that ends leaves no live gauge behind (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


def on_worker_shutdown(**_: Any) -> None:
    for server in _servers:
        server.shutdown()
        server.server_close()
    _servers.clear()
    for folder in _made_folder:
        shutil.rmtree(folder, ignore_errors=True)
    _made_folder.clear()


def connect(app: Any) -> None:
    """Called by `portal.celery` at import, before a worker or beat is built."""
    signals.celeryd_init.connect(on_worker_init, weak=False, dispatch_uid="portal-worker-init")
    signals.worker_ready.connect(on_worker_ready, weak=False, dispatch_uid="portal-worker-ready")
    signals.worker_process_shutdown.connect(on_child_exit, weak=False, dispatch_uid="portal-worker-child-exit")
    signals.worker_shutdown.connect(on_worker_shutdown, weak=False, dispatch_uid="portal-worker-shutdown")
    app.Beat = app.subclass_with_self(PortalBeat)
