"""`/health/`: what a load balancer asks; ok or failing per check, 200 or 503, and nothing more."""

import json
import time

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from portal.observability import heartbeat

pytestmark = pytest.mark.django_db

SECRETS = ("127.0.0.1", "6379", "refused", "Error", "Traceback", "postgres", "sqlite", "db.internal", "redis://")


@pytest.fixture
def broker_folder(settings, tmp_path):
    """The configuration of `make run`: the broker is a folder on this machine, and a worker beside it."""
    from portal.file_broker import transport_options

    options = transport_options(tmp_path / "broker")
    for key in ("data_folder_in", "writing_folder"):
        (tmp_path / "broker" / options[key].rsplit("/", 1)[-1]).mkdir(parents=True, exist_ok=True)
    settings.TASKS_INLINE = False
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_DIR = str(tmp_path / "broker")
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    return options


@pytest.fixture
def workers_alive(settings):
    for queue in settings.CELERY_TASK_QUEUES:
        heartbeat.beat(queue.name)


def health(client, query=""):
    response = client.get(reverse("health") + query)
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body, body
    return response.status_code, json.loads(body)


def test_without_a_broker_the_checks_that_apply_are_ok(client, settings):
    settings.TASKS_INLINE, settings.REDIS_URL = True, ""  # tasks inline: no broker, no worker to check
    status, body = health(client)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok"}}


def test_with_a_broker_folder_and_a_live_worker_every_check_is_ok(client, broker_folder, workers_alive):
    status, body = health(client)
    assert status == 200
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok", "worker": "ok"}


def test_a_stale_worker_heartbeat_fails_the_worker_check(client, settings, broker_folder, workers_alive):
    settings.HEALTH_WORKER_STALE_SECONDS = 120
    heartbeat.cache.set(heartbeat.KEY.format(queue="merge"), time.time() - 600)
    status, body = health(client)
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["worker"] == "failing"
    assert {name for name, value in body["checks"].items() if value != "ok"} == {"worker"}


def test_no_heartbeat_at_all_fails_the_worker_check(client, broker_folder):
    status, body = health(client)
    assert (status, body["checks"]["worker"]) == (503, "failing")


def test_redis_that_does_not_answer_fails_the_broker_check(client, settings, workers_alive):
    settings.TASKS_INLINE = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    status, body = health(client)
    assert status == 503
    assert body["checks"]["broker"] == "failing"
    assert body["checks"]["database"] == "ok"


def test_a_database_that_is_down_fails_the_database_check(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" (10.0.0.7), port 5432 failed: refused')

    monkeypatch.setattr(connection, "cursor", refuse)
    status, body = health(client)
    assert status == 503
    assert body["checks"]["database"] == "failing"
    assert body["checks"]["storage"] == "ok"


def test_a_store_that_cannot_be_written_fails_the_storage_check(client, settings, tmp_path):
    (tmp_path / "not-a-folder").write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = tmp_path / "not-a-folder" / "media"
    status, body = health(client)
    assert (status, body["checks"]["storage"]) == (503, "failing")
    assert body["checks"]["database"] == "ok"


def test_a_load_balancer_may_ask_for_some_checks_only(client, broker_folder):
    status, body = health(client, "?checks=database,storage")
    assert (status, body) == (200, {"status": "ok", "checks": {"database": "ok", "storage": "ok"}})


def test_health_needs_no_login_and_is_never_cached(client):
    response = client.get(reverse("health") + "?checks=database")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_heartbeat_task_marks_its_queue_alive(settings, broker_folder):
    from portal.observability.tasks import heartbeat as heartbeat_task

    assert heartbeat.stale_queues() == [queue.name for queue in settings.CELERY_TASK_QUEUES]
    heartbeat_task.delay("merge")
    assert "merge" not in heartbeat.stale_queues()
    assert heartbeat.ages()["merge"] < 5


def test_beat_sends_a_heartbeat_to_every_queue(settings):
    sent = {
        entry["options"]["queue"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "portal.observability.tasks.heartbeat"
    }
    assert sent == {queue.name for queue in settings.CELERY_TASK_QUEUES}
