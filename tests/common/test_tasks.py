"""The one task base class: transient errors retried, the failure hook after the last try, dispatch."""

import pytest
from celery import shared_task
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError

from common.tasks import PortalTask, dispatch

calls: list[str] = []
failed: list[tuple[str, str]] = []


class Recording(PortalTask):
    def on_final_failure(self, exc, name, *args, **kwargs):
        failed.append((name, type(exc).__name__))


@shared_task(base=Recording)
def flaky(name: str, failures: int) -> int:
    calls.append(name)
    if len(calls) <= failures:
        raise OperationalError("the database went away")
    return len(calls)


@shared_task(base=Recording)
def broken(name: str) -> None:
    calls.append(name)
    raise ValueError("a bug, not a hiccup")


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    from portal.celery import app

    # Inline, as in tests and `make run`; not propagating, so retries run as a worker would run them.
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    monkeypatch.setattr(PortalTask, "retry_backoff", False)  # no countdown needed inline
    calls.clear()
    failed.clear()
    yield
    app.conf.task_eager_propagates = previous


def test_a_transient_error_is_retried_until_the_task_succeeds():
    assert flaky.apply(args=("job", 2)).get() == 3
    assert failed == []


def test_after_the_last_retry_the_work_is_marked_failed():
    result = flaky.apply(args=("job", 100))
    assert result.failed()
    assert len(calls) == PortalTask.max_retries + 1
    assert failed == [("job", "OperationalError")]


def test_an_error_that_is_not_transient_fails_at_once_and_is_marked():
    assert broken.apply(args=("job",)).failed()
    assert calls == ["job"]
    assert failed == [("job", "ValueError")]


def test_dispatch_survives_a_broker_outage(monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerError("connection refused")

    monkeypatch.setattr(flaky, "delay", refuse)
    assert dispatch(flaky, "job", 0) is False


def test_every_task_of_the_portal_uses_the_base_class():
    from portal.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert ours, "no task registered"
    assert sorted(name for name, task in ours.items() if not isinstance(task, PortalTask)) == []
