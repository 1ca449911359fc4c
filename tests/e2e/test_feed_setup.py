"""In a real browser: a reviewer of Italy sets up Protezione Civile's daily regional file as a feed
from the source's page, fetches it once, and trusts the feed with a reason."""

import re

import pytest
from django.utils import timezone

from contributions.models import Submission
from sources.models import Feed
from tests.e2e.signing_in import sign_in_with_second_factor
from tests.sources.factories import make_source
from tests.sources.feed_server import PATTERN, italy_recipe


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_sets_up_fetches_and_trusts_a_daily_feed(
    live_server, page, screenshot, make_user, feed_server, italy_days
):
    reviewer = make_user("browser.reviewer@example.org", role="reviewer", countries=("IT",))
    source = make_source(country="IT", name="Protezione Civile")
    first = next(iter(italy_days))
    italy_recipe(source, italy_days[first])
    feed_server.publish(timezone.localdate(), italy_days[first])

    sign_in_with_second_factor(page, live_server, reviewer.email)
    page.goto(live_server.url + source.get_absolute_url())
    page.get_by_role("link", name="Add a feed").click()
    page.fill("input[name=name]", "Regional daily file")
    page.fill("input[name=url]", feed_server.base + PATTERN)
    page.select_option("select[name=schedule]", "cron")
    page.fill("input[name=cron]", "30 18 * * *")
    page.get_by_role("button", name="Add the feed").click()
    page.wait_for_url(re.compile(r"/sources/feeds/\d+/$"))

    page.get_by_role("button", name="Fetch now").click()
    assert "1 new file(s)" in page.locator(".messages").inner_text()
    page.fill("textarea[name=reason]", "Official daily file; its columns have not changed since February")
    page.get_by_role("button", name="Trust this feed").click()
    assert "Trusted by" in page.locator("#feed-trusted").inner_text()
    screenshot(page, "feed-trusted")

    feed = Feed.objects.get()
    assert feed.trusted_by == reviewer
    submission = Submission.objects.get(feed=feed)
    assert submission.status == Submission.Status.AWAITING_REVIEW  # the first file: a person reviews it
    assert f"#{submission.pk}" in page.locator("main").inner_text()
