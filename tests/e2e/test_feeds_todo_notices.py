"""In a real browser, on a phone: a volunteer who follows a feed is told it paused (a notice with a
count in the header), reads why on the feed's page and finds it on the country's to-do page."""

import re

import pytest

from sources import feeds
from sources.models import Feed
from tests.sources.factories import make_source

PASSWORD = "correct-horse-42"


@pytest.mark.django_db(transaction=True)
def test_a_paused_feed_reaches_its_follower_as_a_notice_and_on_the_todo_page(
    live_server, browser, screenshot, make_user
):
    volunteer = make_user("browser.follower@example.org", countries=("IT",))
    source = make_source(country="IT", name="Protezione Civile")
    feed = Feed.objects.create(source=source, name="Regional daily file", url="https://example.org/{date:%Y%m%d}.csv")
    feed.followers.add(volunteer)
    for _ in range(Feed.PAUSE_AFTER):
        feeds.record_failure(feed_id=feed.pk, error="HTTP 500")

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", volunteer.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/(volunteers|help|$)"))

    assert page.locator("#notice-count").inner_text() == "1"
    page.get_by_role("button", name="Menu").click()  # at 390 px the navigation is behind the menu button
    page.locator("#notices-link").click()
    notice = page.locator("#notices li").first
    assert "is paused: 3 fetches failed in a row" in notice.inner_text()
    screenshot(page, "notices-phone")
    notice.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/sources/feeds/\d+/$"))
    assert "HTTP 500" in page.locator("#feed-paused").inner_text()

    page.goto(live_server.url + "/volunteers/notices/")
    page.get_by_role("button", name="Mark all as read").click()
    assert page.locator("#notice-count").count() == 0

    page.goto(live_server.url + "/my-countries/")  # where onboarding ends: the next steps
    page.get_by_role("link", name="Italy's to-do list").click()
    page.wait_for_url(re.compile(r"/review/todo/IT/$"))
    assert "Regional daily file" in page.locator("#todo-paused").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "todo-phone")
    context.close()
