"""A worker killed during a feed's fetch leaves no duplicate and no lost file: the next beat run
fetches again, and the content hash keeps a second run from filing the file twice."""

import datetime as dt
import time

import pytest

from contributions.models import Submission
from contributions.tasks import fetch_feed, run_due_feeds
from sources.models import Feed
from tests.sources.factories import make_source
from tests.sources.feed_server import LATEST, italy_recipe, make_feed


@pytest.fixture
def worker(celery_worker_process, settings):
    settings.MEDIA_ROOT = celery_worker_process.env["MEDIA_ROOT"]
    return celery_worker_process


def wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_a_worker_killed_mid_fetch_files_the_file_once_after_restart(worker, feed_server, italy_days, reference_data):
    source = make_source(country="IT", name="Protezione Civile")
    day = dt.date(2020, 2, 24)
    italy_recipe(source, italy_days[day])
    feed_server.files[LATEST] = italy_days[day]
    feed_server.delay = 4.0  # the worker is inside the fetch when it is killed
    feed = make_feed(feed_server, source, pattern=False)

    assert run_due_feeds() == 1
    wait_for(lambda: len(feed_server.requests) >= 1)
    worker.kill()
    feed_server.delay = 0
    time.sleep(4.5)  # the server's answer to the dead worker goes nowhere
    assert not Submission.objects.filter(feed=feed).exists()
    feed.refresh_from_db()
    assert feed.last_fetched_at is None  # nothing recorded: still due

    worker.start()
    assert run_due_feeds() == 1  # the next beat run
    wait_for(lambda: Submission.objects.filter(feed=feed, status=Submission.Status.AWAITING_REVIEW).exists())
    fetch_feed.delay(feed.pk)  # a duplicated delivery of the task
    Feed.objects.filter(pk=feed.pk).update(last_fetched_at=None)  # and due again, as if its message came back
    fetch_feed.delay(feed.pk)
    worker.wait_idle()

    assert Submission.objects.filter(feed=feed).count() == 1
