"""The one base class of the portal's Celery tasks, and sending tasks without failing the caller.

Every task is declared `@shared_task(base=PortalTask)` (or a subclass that adds a failure hook):
- acknowledged late, so a killed worker's task is delivered again (tasks are safe to run twice);
- transient errors (the database, the broker or a mail server went away for a moment) are retried
  with one policy: 1, 2, 4 ... up to 60 seconds apart, 6 times;
- after the last try, `on_final_failure(exc, *args, **kwargs)` marks the work failed so people see it;
- `dispatch()` and `dispatch_on_commit()` send a task without letting a broker outage fail the
  request or service that asked for it (a sweeper or the next run catches up).
"""

import logging
import smtplib
from functools import partial
from typing import Any, Protocol

from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError, connection, transaction
from kombu.exceptions import OperationalError as BrokerError

from .storage import STORE_UNREACHABLE

logger = logging.getLogger(__name__)


def _driver_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        return ()
    return (psycopg.OperationalError, psycopg.InterfaceError)


# Worth another try. psycopg's own classes too: bulk loads use the driver directly, so its errors
# are not wrapped in Django's. A missing file or a bad value is not transient and fails at once.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    BrokerError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPException,
    *_driver_errors(),
    *STORE_UNREACHABLE,  # the object store (S3) did not answer
)
BROKER_ERRORS = (BrokerError, ConnectionError, OSError)


class SendableTask(Protocol):
    """What dispatch() needs of a Celery task (Celery ships no types)."""

    name: str

    def delay(self, *args: Any) -> Any: ...


class PortalTask(DjangoTask):
    acks_late = True
    autoretry_for = TRANSIENT_ERRORS
    max_retries = 6
    retry_backoff = True
    retry_backoff_max = 60
    retry_jitter = False

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        # The error may have left the connection dead without Django knowing: reconnect on the next try.
        if not connection.in_atomic_block:
            connection.close()
        return super().retry(*args, **kwargs)

    def on_failure(
        self,
        exc: BaseException,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: Any,
    ) -> None:
        """Called once the task has failed for good (no retry left, or an error that is not transient)."""
        try:
            self.on_final_failure(exc, *args, **kwargs)
        except Exception:
            logger.exception("%s: marking %s%s failed did not work", self.name, args, kwargs)

    def on_final_failure(self, exc: BaseException, *args: Any, **kwargs: Any) -> None:
        """Mark the work failed where people will see it; nothing to do by default."""

    def dispatch(self, *args: Any) -> bool:
        return dispatch(self, *args)

    def dispatch_on_commit(self, *args: Any) -> None:
        dispatch_on_commit(self, *args)


def dispatch(task: SendableTask, *args: Any) -> bool:
    """Send a task now; a broker outage is logged, not raised (a sweeper catches up later)."""
    try:
        task.delay(*args)
        return True
    except BROKER_ERRORS:
        logger.exception("Could not queue %s%s: is the broker reachable?", task.name, args)
        return False


def dispatch_on_commit(task: SendableTask, *args: Any) -> None:
    """Send a task once the current transaction commits, never failing the request that made it."""
    transaction.on_commit(partial(dispatch, task, *args))
