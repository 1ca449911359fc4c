"""The heartbeat task: proof that a worker takes tasks from a queue (see `heartbeat`)."""

from celery import shared_task

from common.tasks import PortalTask

from . import heartbeat as heartbeats


@shared_task(base=PortalTask, ignore_result=True)
def heartbeat(queue: str) -> None:
    """Sent to `queue` by beat; whichever worker takes it writes the time for that queue."""
    heartbeats.beat(queue)
