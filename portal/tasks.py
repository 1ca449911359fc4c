"""Health check for the task pipeline: a worker answers with its name."""

import socket

from celery import shared_task

from common.tasks import PortalTask


@shared_task(base=PortalTask, ignore_result=False)
def ping() -> str:
    return f"pong from {socket.gethostname()}"
