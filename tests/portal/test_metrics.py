"""`/metrics`: the series an operator graphs and alerts on, for Prometheus only."""

import pytest
from django.urls import reverse

from common.tasks import PortalTask
from contributions.models import Submission
from portal.celery import app as celery_app
from tests.contributions.factories import SubmissionFactory
from tests.dataset.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def prometheus(settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.2.0/24"]
    settings.METRICS_TOKEN = "scrape-secret-123"


def scrape(client, **extra) -> tuple[int, str]:
    response = client.get(reverse("metrics"), **extra)
    return response.status_code, response.content.decode()


def test_metrics_report_requests_tasks_submissions_reviews_and_the_latest_release(client, prometheus, settings):
    from portal.observability.tasks import heartbeat

    SubmissionFactory(status=Submission.Status.AWAITING_REVIEW)
    SubmissionFactory(status=Submission.Status.MERGED)
    ReleaseFactory()
    latest = ReleaseFactory()
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    heartbeat.delay("default")  # inline here: counted on the "inline" queue

    status, text = scrape(client, REMOTE_ADDR="10.1.2.3")
    assert status == 200
    assert 'portal_http_requests_total{method="GET",status="200",view="home"}' in text
    assert 'portal_http_requests_total{method="GET",status="404",view="<unresolved>"}' in text
    assert 'portal_http_request_duration_seconds_bucket{le="0.25",view="home"}' in text
    tasks = 'portal_celery_tasks_total{outcome="succeeded",queue="inline",task="portal.observability.tasks.heartbeat"}'
    assert tasks in text
    assert (
        'portal_celery_task_duration_seconds_count{queue="inline",task="portal.observability.tasks.heartbeat"}' in text
    )
    assert 'portal_submissions{kind="data",status="awaiting_review"} 1.0' in text
    assert 'portal_submissions{kind="data",status="merged"} 1.0' in text
    assert 'portal_submissions{kind="data",status="rejected"} 0.0' in text
    oldest = next(line for line in text.splitlines() if line.startswith("portal_review_oldest_waiting_seconds "))
    assert 0 <= float(oldest.split()[1]) < 600
    assert f"portal_release_latest_number {float(latest.number)}" in text
    stamp = next(line for line in text.splitlines() if line.startswith("portal_release_latest_timestamp_seconds "))
    assert float(stamp.split()[1]) == pytest.approx(latest.created_at.timestamp())
    assert "# TYPE portal_celery_queue_length gauge" in text
    assert 'portal_worker_heartbeat_age_seconds{queue="default"}' in text


def test_failed_and_retried_tasks_are_counted_by_queue(client, prometheus):
    @celery_app.task(base=PortalTask, name="tests.metrics.broken")
    def broken():
        raise ValueError("a bad file")

    with pytest.raises(ValueError, match="a bad file"):
        broken.delay()
    status, text = scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret-123")
    assert status == 200
    assert 'portal_celery_tasks_total{outcome="failed",queue="inline",task="tests.metrics.broken"} 1.0' in text


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_queue_lengths_count_the_messages_waiting_in_the_broker(client, prometheus, settings):
    from kombu import Queue

    settings.TASKS_INLINE = False  # the tests' broker (memory, or Redis) stands for production's
    settings.CELERY_TASK_QUEUES = [Queue("metrics-test"), Queue("metrics-test-empty")]  # no worker takes these
    with celery_app.connection_for_write() as connection:
        for name in ("metrics-test", "metrics-test-empty"):
            connection.default_channel.queue_declare(name)
            connection.default_channel.queue_purge(name)
        for _ in range(3):  # send_task: queued even where tasks run inline
            celery_app.send_task("tests.metrics.never_run", queue="metrics-test", connection=connection)
        try:
            status, text = scrape(client, REMOTE_ADDR="10.1.2.3")
        finally:
            connection.default_channel.queue_purge("metrics-test")
    assert status == 200
    assert 'portal_celery_queue_length{queue="metrics-test"} 3.0' in text
    assert 'portal_celery_queue_length{queue="metrics-test-empty"} 0.0' in text


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer wrong"},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer "},
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "10.1.2.3"},  # not from a trusted proxy
    ],
)
def test_metrics_are_refused_to_anyone_else(client, prometheus, extra):
    status, text = scrape(client, **extra)
    assert status == 403
    assert "portal_" not in text


def test_behind_a_trusted_proxy_the_client_address_decides(client, prometheus, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")[0] == 403
    assert scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")[0] == 200


def test_production_allows_no_address_by_default():
    import subprocess
    import sys

    from tests.portal.test_logging import ROOT

    code = "import django; django.setup(); from django.conf import settings; print(settings.METRICS_ALLOWED_IPS)"
    env = {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
