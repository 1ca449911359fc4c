"""The portal project package: settings, URLs, Celery app, WSGI."""

from .celery import app as celery_app

__all__ = ("celery_app",)
