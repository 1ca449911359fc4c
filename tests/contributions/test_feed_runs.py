"""Feeds fetch official files from a real HTTP server (127.0.0.1) and file new content as uploads."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import Notice
from contributions import feed_runs
from contributions.models import Submission
from contributions.tasks import fetch_feed, run_due_feeds
from sources.models import Feed
from tests.sources.factories import make_source
from tests.sources.feed_server import LATEST, PATTERN, italy_recipe, make_feed

DAY1 = dt.date(2020, 2, 24)
DAY2 = dt.date(2020, 2, 25)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def source(reference_data, italy_days):
    """Protezione Civile, with the recipe a volunteer made for its early daily files."""
    source = make_source(country="IT", name="Protezione Civile")
    italy_recipe(source, italy_days[DAY1])
    return source


def test_a_new_daily_file_becomes_a_validated_upload_attributed_to_the_feed(feed_server, italy_days, source):
    feed_server.publish(DAY1, italy_days[DAY1])
    feed = make_feed(feed_server, source)

    result = feed_runs.run_feed(feed_id=feed.pk, today=DAY1)

    submission = Submission.objects.get(pk=result.created[0])
    assert submission.feed == feed
    assert submission.source == source
    assert submission.original_filename == "dpc-covid19-ita-regioni-20200224.csv"
    assert submission.status == Submission.Status.AWAITING_REVIEW
    assert submission.row_count == 21 * 6
    feed.refresh_from_db()
    assert feed.last_date == DAY1
    assert feed.last_success_at is not None


def test_fetching_the_same_content_again_creates_nothing(feed_server, italy_days, source):
    feed_server.files[LATEST] = italy_days[DAY1]
    feed = make_feed(feed_server, source, pattern=False)

    first = feed_runs.run_feed(feed_id=feed.pk, force=True)
    second = feed_runs.run_feed(feed_id=feed.pk, force=True)

    assert len(first.created) == 1
    assert second.created == []
    assert second.unchanged == 1
    assert Submission.objects.count() == 1
    path, headers = feed_server.requests[-1]
    assert path == LATEST
    assert headers.get("If-None-Match")  # asked conditionally: the server said 304
    assert headers.get("If-Modified-Since")


def test_new_content_at_the_same_url_becomes_a_second_upload(feed_server, italy_days, source):
    feed_server.files[LATEST] = italy_days[DAY1]
    feed = make_feed(feed_server, source, pattern=False)
    feed_runs.run_feed(feed_id=feed.pk, force=True)

    feed_server.files[LATEST] = italy_days[DAY2]
    result = feed_runs.run_feed(feed_id=feed.pk, force=True)

    assert len(result.created) == 1
    assert Submission.objects.filter(feed=feed).count() == 2


def test_a_run_is_safe_twice_even_when_the_feed_row_was_not_updated(feed_server, italy_days, source):
    """A worker killed after filing the file but before the feed's row said so: the retry files nothing."""
    feed_server.publish(DAY1, italy_days[DAY1])
    feed = make_feed(feed_server, source)
    feed_runs.run_feed(feed_id=feed.pk, today=DAY1)
    Feed.objects.filter(pk=feed.pk).update(last_date=None, last_sha256="", last_fetched_at=None)

    again = feed_runs.run_feed(feed_id=feed.pk, today=DAY1)

    assert again.created == []
    assert again.unchanged == 1
    assert Submission.objects.count() == 1


def test_the_beat_task_fetches_due_feeds_only(feed_server, italy_days, source):
    feed_server.files[LATEST] = italy_days[DAY1]
    due = make_feed(feed_server, source, pattern=False)
    paused = make_feed(feed_server, source, pattern=False, paused=True, paused_reason="test")

    assert run_due_feeds() == 1
    assert run_due_feeds() == 0  # fetched a moment ago: not due until tomorrow

    assert Submission.objects.filter(feed=due).count() == 1
    assert not Submission.objects.filter(feed=paused).exists()
    assert fetch_feed(due.pk) == []  # the task twice: nothing more


def test_todays_file_not_published_yet_is_not_a_failure(feed_server, italy_days, source):
    feed = make_feed(feed_server, source)

    result = feed_runs.run_feed(feed_id=feed.pk, today=DAY1)

    assert result.not_yet_published
    assert not result.created
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0


def test_a_date_pattern_feed_catches_up_on_the_days_it_missed(feed_server, italy_days, source):
    for day in (DAY1, DAY2, DAY2 + dt.timedelta(days=1)):
        feed_server.publish(day, italy_days[day])
    feed = make_feed(feed_server, source, last_date=DAY1 - dt.timedelta(days=1))

    result = feed_runs.run_feed(feed_id=feed.pk, today=DAY2 + dt.timedelta(days=1))

    assert len(result.created) == 3
    feed.refresh_from_db()
    assert feed.last_date == DAY2 + dt.timedelta(days=1)


@pytest.mark.parametrize("problem", ["500", "slow", "404-earlier-day"])
def test_three_failures_in_a_row_pause_the_feed_and_tell_followers_and_reviewers(
    feed_server, italy_days, source, make_user, problem
):
    follower = make_user("follower@example.org")
    make_user("reviewer@example.org", role="reviewer", countries=["IT"])
    outsider = make_user("de-reviewer@example.org", role="reviewer", countries=["DE"])
    feed = make_feed(feed_server, source, last_date=DAY1 - dt.timedelta(days=1))
    feed.followers.add(follower)
    path = PATTERN.format(date=DAY1)
    if problem == "500":
        feed_server.status[path] = 500
    elif problem == "slow":
        feed_server.publish(DAY1, italy_days[DAY1])
        feed_server.delay = 1.5
    today = DAY2 if problem == "404-earlier-day" else DAY1

    results = [feed_runs.run_feed(feed_id=feed.pk, today=today, force=True) for _ in range(3)]

    assert [r.paused for r in results] == [False, False, True]
    feed.refresh_from_db()
    assert feed.paused
    assert feed.consecutive_failures == 3
    assert "3 fetches failed in a row" in feed.paused_reason
    assert not Submission.objects.exists()
    told = set(Notice.objects.filter(kind=Notice.Kind.FEED_PAUSED).values_list("user__email", flat=True))
    assert told == {"follower@example.org", "reviewer@example.org"}
    assert outsider.email not in told
    assert sorted(m.to[0] for m in mail.outbox if "Feed paused" in m.subject) == sorted(told)
    assert feed_runs.run_feed(feed_id=feed.pk, today=today, force=True).created == []  # paused: nothing


def test_a_file_larger_than_the_cap_is_a_failure(feed_server, italy_days, source, settings):
    settings.FEED_MAX_BYTES = 100
    feed_server.files[LATEST] = italy_days[DAY1]
    feed = make_feed(feed_server, source, pattern=False)

    result = feed_runs.run_feed(feed_id=feed.pk, force=True)

    assert "too large" in result.error
    assert not Submission.objects.exists()


def test_a_feed_url_on_a_private_address_is_refused(feed_server, italy_days, source, settings):
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = False
    feed_server.files[LATEST] = italy_days[DAY1]
    feed = make_feed(feed_server, source, pattern=False)

    result = feed_runs.run_feed(feed_id=feed.pk, force=True)

    assert "private or reserved" in result.error
    assert feed_server.requests == []


def test_a_file_the_recipe_no_longer_fits_is_queued_for_a_mapping_and_counted(feed_server, test_data, source):
    changed = (test_data / "xlsx" / "Covid_19_cases_Nigeria.xlsx").read_bytes()  # no date, unknown places
    feed_server.files[LATEST] = changed
    feed = make_feed(feed_server, source, pattern=False)

    result = feed_runs.run_feed(feed_id=feed.pk, force=True)

    submission = Submission.objects.get(pk=result.created[0])
    assert submission.status in (Submission.Status.NEEDS_MAPPING, Submission.Status.INVALID)
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1
    assert "submission #" in feed.last_error


def test_backfill_files_each_day_of_a_range_once(feed_server, italy_days, source):
    days = list(italy_days)[:4]
    for day in days:
        feed_server.publish(day, italy_days[day])
    feed = make_feed(feed_server, source)

    result = feed_runs.backfill(feed_id=feed.pk, first=days[0], last=days[-1] + dt.timedelta(days=1))
    again = feed_runs.backfill(feed_id=feed.pk, first=days[0], last=days[-1])

    assert len(result.created) == 4
    assert "HTTP 404" in result.error  # the fifth day is not published
    assert again.created == []
    assert again.unchanged == 4
    assert Submission.objects.filter(feed=feed).count() == 4


def test_the_backfill_command_fetches_a_range(feed_server, italy_days, source):
    days = list(italy_days)[:2]
    for day in days:
        feed_server.publish(day, italy_days[day])
    feed = make_feed(feed_server, source)
    out = io.StringIO()

    call_command("backfill_feed", str(feed.pk), "--from", days[0].isoformat(), "--to", days[1].isoformat(), stdout=out)

    assert "2 file(s) filed" in out.getvalue()
    assert Submission.objects.filter(feed=feed).count() == 2


def test_a_feed_without_a_date_pattern_cannot_be_backfilled(feed_server, source):
    feed = make_feed(feed_server, source, pattern=False)

    with pytest.raises(CommandError, match="date pattern"):
        call_command("backfill_feed", str(feed.pk), "--from", "2020-03-01", "--to", "2020-03-02")


def test_a_combined_backfill_is_one_submission_of_every_day(feed_server, italy_days, source):
    days = list(italy_days)[:3]
    for day in days:
        feed_server.publish(day, italy_days[day])
    feed = make_feed(feed_server, source)

    result = feed_runs.backfill(feed_id=feed.pk, first=days[0], last=days[-1], combined=True)

    submission = Submission.objects.get(pk=result.created[0])
    assert len(result.created) == 1
    assert submission.status == Submission.Status.AWAITING_REVIEW
    assert submission.row_count == 3 * 21 * 6
    assert submission.original_filename == "dpc-covid19-ita-regioni-20200224-to-dpc-covid19-ita-regioni-20200226.csv"
