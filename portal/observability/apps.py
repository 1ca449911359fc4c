"""Connects the log context and the task metrics to Django's and Celery's signals, in web and worker."""

from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "portal.observability"
    label = "observability"
    verbose_name = "Health, metrics and logs"

    def ready(self) -> None:
        from celery import signals as celery_signals

        from . import context, heartbeat, metrics

        context.connect()
        metrics.connect()
        celery_signals.worker_ready.connect(heartbeat.on_worker_ready, weak=False, dispatch_uid="observability-ready")
