"""Health check for the task pipeline: a worker answers with its name."""
import socket

from celery import shared_task


@shared_task(ignore_result=False)
def ping() -> str:
    return f"pong from {socket.gethostname()}"
