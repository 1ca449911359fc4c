"""Redis unreachable when a reviewer approves: the approval stands, the page works, the sweeper merges later."""

import time
from contextlib import contextmanager

import pandas as pd
import pytest
from django.urls import reverse

from contributions.models import Submission
from dataset.models import Observation
from portal.celery import app as celery_app
from review import merge
from review.models import ReviewAction
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.usefixtures("transactional_db")

CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@contextmanager
def broker_unreachable():
    """Point this process's Celery app at a closed port (the shared Redis server keeps running for others)."""
    conf = celery_app.conf
    saved = conf.broker_url

    def reset_pools():  # the app caches its connection and producer pools: make it build them again
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset_pools()
    conf.broker_url = CLOSED_PORT_BROKER
    try:
        yield
    finally:
        reset_pools()
        conf.broker_url = saved


def test_approval_during_a_broker_outage_is_saved_and_merged_once_redis_is_back(
    celery_worker_process, settings, client, make_user, caplog
):
    settings.MEDIA_ROOT = celery_worker_process.env["MEDIA_ROOT"]
    settings.MERGE_SWEEP_AFTER_MINUTES = 0
    volunteer = make_user("vol-outage@example.org")
    reviewer = make_user("rev-outage@example.org", role="reviewer", countries=("IT",))
    dates = pd.date_range("2020-03-01", periods=30).strftime("%Y-%m-%d").tolist()
    frame = frame_for(["IT_21", "IT_25", "IT_34"], ["confirmed", "deaths"], dates, value=lambda i: i * 3)
    submission = make_submission(submitter=volunteer, source=make_source(), frame=frame)
    client.force_login(reviewer)

    with broker_unreachable():
        response = client.post(
            reverse("review:decide", args=[submission.pk]),
            {"decision": "approve", "comment": "Checked", "version": 1},
            follow=True,
        )
    assert response.status_code == 200
    assert "Approved" in response.content.decode()
    assert "is the broker reachable" in caplog.text
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    assert ReviewAction.objects.filter(submission=submission, action="approve").count() == 1
    assert Observation.objects.count() == 0

    assert merge.sweep() == [submission.pk]
    deadline = time.monotonic() + 120
    while submission.status != Submission.Status.MERGED and time.monotonic() < deadline:
        time.sleep(0.3)
        submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED
    assert Observation.objects.filter(submission=submission).count() == len(frame)
