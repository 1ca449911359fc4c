"""gunicorn settings: `gunicorn -c portal/observability/gunicorn.py portal.wsgi ...`.

- Logs: with LOG_FORMAT=json (the production default) gunicorn's own lines (`gunicorn.error`: start,
  workers booting and timing out) and its access log are JSON objects like the portal's, with the
  submission and release ids the request bound (`portal.observability.context`) and, for an access
  line, the method, path, status, response size and duration as fields. Access lines are written to
  stdout, everything else to stderr.
- Prometheus's multiprocess mode: a worker that exits leaves its live gauges behind unless it is
  marked dead (prometheus_client's documented hook); counters and histograms keep counting in the totals.
"""

import os
from typing import Any


def json_logs() -> bool:
    """settings.LOG_FORMAT, read before Django is set up (the same default: json in production)."""
    production = os.environ.get("DJANGO_ENV", "development") == "production"
    return os.environ.get("LOG_FORMAT", "json" if production else "text") == "json"


def _logconfig() -> dict[str, Any]:
    json = {"()": "portal.observability.logs.JsonFormatter"}
    filters = ["context", "access"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "portal.observability.context.ContextFilter"},
            "access": {"()": "portal.observability.logs.AccessFields"},
        },
        "formatters": {"json": json},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": filters},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "filters": filters},
            "access_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": filters,
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            # Not propagated: the root logger gets Django's handler once the application loads.
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
        },
    }


if json_logs():
    logconfig_dict = _logconfig()


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
