"""When a feed is due, and which days a date-pattern feed asks for."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sources import feeds
from sources.models import Feed
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def source(reference_data):
    return make_source(country="IT")


def test_a_daily_feed_is_due_a_day_after_its_last_fetch(source):
    feed = Feed(source=source, url="https://example.org/a.csv", last_fetched_at=at("2020-03-01T18:00"))
    assert not feeds.is_due(feed, at("2020-03-02T12:00"))
    assert feeds.is_due(feed, at("2020-03-02T18:00"))


def test_a_cron_feed_is_due_once_its_time_has_come_round(source):
    feed = Feed(
        source=source,
        url="https://example.org/a.csv",
        schedule=Feed.Schedule.CRON,
        cron="30 18 * * *",
        last_fetched_at=at("2020-03-01T18:31"),
    )
    assert not feeds.is_due(feed, at("2020-03-02T18:29"))
    assert feeds.is_due(feed, at("2020-03-02T18:30"))


def test_a_paused_or_proposed_feed_is_never_due(source):
    assert not feeds.is_due(Feed(source=source, url="https://example.org/a.csv", paused=True))
    assert not feeds.is_due(Feed(source=source, url="https://example.org/a.csv", status=Feed.Status.PROPOSED))


def test_a_date_pattern_feed_asks_for_the_days_it_missed_up_to_today(source, settings):
    settings.FEED_MAX_DAYS_PER_RUN = 3
    feed = Feed(source=source, url="https://example.org/{date:%Y%m%d}.csv", last_date=dt.date(2020, 3, 1))
    assert feeds.days_to_fetch(feed, dt.date(2020, 3, 3)) == [dt.date(2020, 3, 2), dt.date(2020, 3, 3)]
    assert len(feeds.days_to_fetch(feed, dt.date(2020, 3, 30))) == 3
    assert feed.url_for(dt.date(2020, 3, 2)) == "https://example.org/20200302.csv"


def test_a_cron_expression_has_five_fields(source):
    with pytest.raises(ValidationError, match="five fields"):
        feeds.check_feed(Feed(source=source, url="https://a.org/x.csv", schedule=Feed.Schedule.CRON, cron="daily"))
