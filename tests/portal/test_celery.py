"""The Celery wiring: reliability settings, inline tasks without Redis, and a real worker with Redis."""

import re
import time

import pytest
from django.conf import settings
from django.urls import reverse

from portal.celery import app
from portal.tasks import ping


def test_reliability_settings_are_on():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > app.conf.task_time_limit


def test_tasks_run_inline_in_ordinary_tests():
    assert ping.delay().get(timeout=1).startswith("pong")


@pytest.mark.worker
def test_a_real_worker_answers_the_ping(celery_worker_process):
    result = ping.delay()
    assert result.get(timeout=30).startswith("pong from")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_verification_email(celery_worker_process, client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "via.worker@example.org",
            "password1": "a-Long-passphrase-2020",
            "password2": "a-Long-passphrase-2020",
        },
    )
    assert response.status_code == 302
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "via.worker@example.org" not in celery_worker_process.sent_mail():
        time.sleep(0.3)
    mail = celery_worker_process.sent_mail()
    assert "via.worker@example.org" in mail
    assert re.search(r"/accounts/confirm-email/\S+/", mail)
