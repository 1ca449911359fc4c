"""Sending Celery tasks without letting a broker outage fail the work that asked for them."""
import logging
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def dispatch(task, *args) -> bool:
    """Send a task now; a broker outage is logged, not raised (a sweeper catches up later)."""
    try:
        task.delay(*args)
        return True
    except (BrokerError, ConnectionError, OSError):
        logger.exception("Could not queue %s%s: is the broker reachable?", task.name, args)
        return False


def dispatch_on_commit(task, *args) -> None:
    """Send a task once the current transaction commits, never failing the request that made it."""
    transaction.on_commit(partial(dispatch, task, *args))
