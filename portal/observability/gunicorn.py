"""gunicorn settings for Prometheus's multiprocess mode: `gunicorn -c portal/observability/gunicorn.py ...`.

A worker that exits leaves its live gauges behind unless it is marked dead (prometheus_client's
documented hook); counters and histograms keep counting in the totals."""

from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
