"""Trusted feeds, four eyes kept: the Italian regional series followed from a feed, day by day."""

import pytest

from contributions import feed_runs
from contributions.models import Submission
from dataset.models import Observation, Release
from review import services
from review.models import ReviewAction
from sources import feeds
from tests.sources.factories import make_source
from tests.sources.feed_server import LATEST, italy_recipe, make_feed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(make_user):
    return {
        "trusting": make_user("anna@example.org", role="reviewer", countries=["IT"]),
        "other": make_user("bruno@example.org", role="reviewer", countries=["IT"]),
        "follower": make_user("carla@example.org"),
    }


@pytest.fixture
def source(reference_data, italy_days):
    source = make_source(country="IT", name="Protezione Civile")
    italy_recipe(source, next(iter(italy_days.values())))
    return source


def first_day_reviewed(feed, day, reviewer):
    """The first file of a feed always goes to a person: nothing of the source is merged yet."""
    result = feed_runs.run_feed(feed_id=feed.pk, today=day, force=True)
    submission = Submission.objects.get(pk=result.created[0])
    assert submission.status == Submission.Status.AWAITING_REVIEW
    services.approve(submission=submission, reviewer=reviewer)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED
    return submission


def test_the_italian_series_followed_for_ten_days_appends_without_review(feed_server, italy_days, source, people):
    days = list(italy_days)[:10]
    for day in days:
        feed_server.publish(day, italy_days[day])
    feed = make_feed(feed_server, source)
    feed.followers.add(people["follower"])
    feeds.trust(feed=feed, reviewer=people["trusting"], reason="Official daily file; shape stable since February")
    first_day_reviewed(feed, days[0], people["other"])

    for day in days[1:]:
        result = feed_runs.run_feed(feed_id=feed.pk, today=day, force=True)
        submission = Submission.objects.get(pk=result.created[0])
        assert submission.status == Submission.Status.MERGED, (day, submission.status)

    assert Observation.objects.filter(source=source).count() == 10 * 21 * 6
    assert Release.objects.count() == 10
    approvals = ReviewAction.objects.filter(action=ReviewAction.Action.APPROVE).order_by("pk")
    assert approvals.count() == 10
    automatic = [a for a in approvals if a.comment.startswith("Approved by the trusted-feed decision")]
    assert len(automatic) == 9
    assert all(a.actor == people["trusting"] for a in automatic)
    today = feed.source.feeds.get().trusted_at.date().isoformat()
    assert f"on {today}" in automatic[0].comment
    last = Observation.objects.get(source=source, location__key="IT_25", metric__code="confirmed", date=days[-1])
    lombardia = next(line for line in italy_days[days[-1]].decode().splitlines() if ",Lombardia," in line)
    assert last.value == float(lombardia.split(",")[14])  # totale_casi, as published
    assert people["follower"].notices.filter(kind="merged").count() == 10


def corrected(content: bytes) -> bytes:
    """The same day's file republished with Lombardia's total cases corrected."""
    lines = content.decode().splitlines()
    for n, line in enumerate(lines):
        if ",Lombardia," in line:
            cells = line.split(",")
            cells[14] = str(int(cells[14]) + 7)
            lines[n] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


def test_a_change_of_past_values_still_goes_to_review(feed_server, italy_days, source, people):
    days = list(italy_days)
    feed_server.files[LATEST] = italy_days[days[0]]
    feed = make_feed(feed_server, source, pattern=False)
    feeds.trust(feed=feed, reviewer=people["trusting"], reason="Official daily file")
    first_day_reviewed(feed, days[0], people["other"])

    feed_server.files[LATEST] = corrected(italy_days[days[0]])
    result = feed_runs.run_feed(feed_id=feed.pk, force=True)

    submission = Submission.objects.get(pk=result.created[0])
    assert submission.status == Submission.Status.AWAITING_REVIEW
    assert submission.diff["counts"]["changed"] == 1


def test_after_trust_is_revoked_every_file_goes_to_the_queue(feed_server, italy_days, source, people):
    days = list(italy_days)
    for day in days[:2]:
        feed_server.publish(day, italy_days[day])
    feed = make_feed(feed_server, source)
    feeds.trust(feed=feed, reviewer=people["trusting"], reason="Official daily file")
    first_day_reviewed(feed, days[0], people["other"])

    feeds.revoke_trust(feed=feed, reviewer=people["other"])
    result = feed_runs.run_feed(feed_id=feed.pk, today=days[1], force=True)

    assert Submission.objects.get(pk=result.created[0]).status == Submission.Status.AWAITING_REVIEW


def test_trusting_a_feed_needs_a_reason_and_a_reviewer_of_its_country(source, people, make_user):
    feed = source.feeds.create(url="https://example.org/file.csv")
    with pytest.raises(feeds.FeedError, match="Say why"):
        feeds.trust(feed=feed, reviewer=people["trusting"], reason=" ")
    with pytest.raises(feeds.FeedError, match="Only a reviewer"):
        feeds.trust(feed=feed, reviewer=make_user("de@example.org", role="reviewer", countries=["DE"]), reason="x")
    with pytest.raises(feeds.FeedError, match="Only a reviewer"):
        feeds.trust(feed=feed, reviewer=people["follower"], reason="x")
