"""In a real browser: a visitor subscribes through the footer form, confirms, and looks at the coverage map."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from outreach.models import NewsletterSubscription
from places.models import Location
from tests.dataset.factories import ObservationFactory, ReleaseFactory
from tests.sources.factories import SourceFactory


def _coverage_data(make_user):
    """A few countries in each status so the map shows every colour."""
    for email, countries in [
        ("it@example.org", ("IT",)),
        ("br@example.org", ("BR", "AR")),
        ("in@example.org", ("IN",)),
        ("us@example.org", ("US", "CA")),
        ("au@example.org", ("AU",)),
    ]:
        make_user(email, countries=countries)
    release = ReleaseFactory(description="demo")
    today = timezone.now().date()
    for key, days_ago in [("IT", 1), ("US", 3), ("BR", 40), ("AU", None), ("ZA", None), ("DE", 2)]:
        country = Location.objects.get(key=key)
        source = SourceFactory(name=f"{country.name} ministry", country=country)
        if days_ago is not None:
            ObservationFactory(
                location=country,
                metric_code="confirmed",
                date=today - timedelta(days=days_ago),
                value=10,
                source=source,
                release=release,
            )


@pytest.mark.django_db(transaction=True)
def test_subscribe_from_the_footer_then_view_the_coverage_map(live_server, page, screenshot, make_user, mailoutbox):
    _coverage_data(make_user)

    page.goto(f"{live_server.url}/about/")
    footer = page.locator("#footer-newsletter")
    footer.locator("input[name=email]").fill("reader@example.org")
    footer.locator("input[name=consent]").check()
    footer.locator("button[type=submit]").click()
    page.wait_for_selector("#subscribe-done")
    subscription = NewsletterSubscription.objects.get(email="reader@example.org")
    assert subscription.status == "pending"
    assert subscription.source_page == "/about/"

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/newsletter/confirm/\S+/", mailoutbox[0].body).group(0)
    page.goto(live_server.url + urlsplit(link).path)
    page.get_by_role("button", name="Yes, subscribe me").click()
    page.wait_for_selector("text=You are subscribed")
    subscription.refresh_from_db()
    assert subscription.status == "confirmed"

    page.goto(f"{live_server.url}/coverage/")
    page.wait_for_selector("#coverage-map[data-ready='1']")
    colours = page.eval_on_selector_all("#coverage-map path[data-status]", "els => els.map(e => e.dataset.status)")
    assert {"flowing", "stale", "no_data", "no_source", "no_volunteer"} <= set(colours)
    assert page.get_attribute("#coverage-map path[data-key='IT']", "data-status") == "flowing"
    assert page.get_attribute("#coverage-map path[data-key='BR']", "data-status") == "stale"
    assert "Volunteer for a country" in page.inner_text("#needs-help")
    path = screenshot(page, "outreach-coverage")
    assert path.stat().st_size > 20_000
    page.screenshot(path=str(path.with_name("outreach-coverage-map.png")))  # the first screen: map and call to action
    page.goto(f"{live_server.url}/coverage/?region=Americas&sort=volunteers&dir=desc#countries")
    page.wait_for_selector("#coverage-map[data-ready='1']")
    assert page.locator("#coverage-table tbody tr").first.get_attribute("id") in {"cov-BR", "cov-US"}
    page.screenshot(path=str(path.with_name("outreach-coverage-americas.png")))
