"""The feed pages: reviewers of the country create, edit and trust feeds; volunteers propose one."""

import pytest
from django.urls import reverse

from sources.models import Feed
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db

ITALY_PATTERN = (
    "https://raw.githubusercontent.com/pcm-dpc/COVID-19/master/dati-regioni/dpc-covid19-ita-regioni-{date:%Y%m%d}.csv"
)


@pytest.fixture
def source(reference_data):
    return make_source(country="IT", name="Protezione Civile")


def test_a_reviewer_of_the_country_adds_a_daily_feed_from_the_source_page(client, make_user, source):
    reviewer = make_user("rev@example.org", role="reviewer", countries=["IT"])
    client.force_login(reviewer)
    page = client.get(source.get_absolute_url())
    assert reverse("sources:feed_new", args=[source.pk]) in page.content.decode()

    response = client.post(
        reverse("sources:feed_new", args=[source.pk]),
        {"name": "Regional daily file", "url": ITALY_PATTERN, "schedule": "cron", "cron": "30 18 * * *"},
    )

    feed = Feed.objects.get()
    assert response.status_code == 302
    assert feed.status == Feed.Status.ACTIVE
    assert feed.created_by == reviewer
    assert feed.url_for(__import__("datetime").date(2020, 3, 1)).endswith("regioni-20200301.csv")
    assert "Regional daily file" in client.get(source.get_absolute_url()).content.decode()


def test_a_volunteer_only_proposes_a_feed_and_follows_it(client, make_user, source):
    volunteer = make_user("vol@example.org")
    client.force_login(volunteer)

    client.post(reverse("sources:feed_new", args=[source.pk]), {"url": ITALY_PATTERN, "schedule": "daily"})

    feed = Feed.objects.get()
    assert feed.status == Feed.Status.PROPOSED
    assert list(feed.followers.all()) == [volunteer]


@pytest.mark.parametrize(
    ("url", "cron", "message"),
    [
        ("ftp://example.org/file.csv", "", "http://"),
        ("https://example.org/{day}.csv", "", "date pattern"),
        ("https://example.org/file.csv", "every day", "five fields"),
    ],
)
def test_a_feed_needs_an_http_url_a_valid_pattern_and_cron(client, make_user, source, url, cron, message):
    client.force_login(make_user("rev@example.org", role="reviewer", countries=["IT"]))

    response = client.post(
        reverse("sources:feed_new", args=[source.pk]),
        {"url": url, "schedule": "cron" if cron else "daily", "cron": cron},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Feed.objects.exists()


def test_a_reviewer_of_another_country_cannot_edit_or_trust_the_feed(client, make_user, source):
    feed = Feed.objects.create(source=source, url="https://example.org/a.csv")
    client.force_login(make_user("de@example.org", role="reviewer", countries=["DE"]))

    client.post(reverse("sources:feed_edit", args=[feed.pk]), {"url": "https://example.org/b.csv", "schedule": "daily"})
    client.post(reverse("sources:feed_trust", args=[feed.pk]), {"reason": "looks fine"})

    feed.refresh_from_db()
    assert feed.url == "https://example.org/a.csv"
    assert not feed.trusted


def test_trust_is_shown_on_the_feed_page_and_any_reviewer_of_the_country_revokes_it(client, make_user, source):
    feed = Feed.objects.create(source=source, url="https://example.org/a.csv")
    client.force_login(make_user("anna@example.org", role="reviewer", countries=["IT"]))
    client.post(reverse("sources:feed_trust", args=[feed.pk]), {"reason": "Official file, stable shape"})
    page = client.get(feed.get_absolute_url()).content.decode()
    assert "Official file, stable shape" in page

    client.force_login(make_user("bruno@example.org", role="reviewer", countries=["IT"]))
    client.post(reverse("sources:feed_revoke", args=[feed.pk]))

    feed.refresh_from_db()
    assert not feed.trusted


def test_the_source_page_says_why_a_feed_is_paused(client, source):
    Feed.objects.create(
        source=source, url="https://example.org/a.csv", paused=True, paused_reason="3 fetches failed in a row"
    )

    page = client.get(source.get_absolute_url()).content.decode()

    assert "Paused: 3 fetches failed in a row" in page


def test_a_volunteer_proposes_a_feed_with_the_source(client, make_user, reference_data):
    volunteer = make_user("vol@example.org")
    client.force_login(volunteer)
    form = {
        "name": "Protezione Civile COVID-19",
        "institution": "Dipartimento della Protezione Civile",
        "institution_type": "ministry",
        "country": "IT",
        "url": "https://github.com/pcm-dpc/COVID-19",
        "cadence": "daily",
        "metrics": ["confirmed"],
        "feed_url": ITALY_PATTERN,
    }

    response = client.post("/sources/propose/", form, follow=True)

    feed = Feed.objects.get()
    assert feed.source.name == "Protezione Civile COVID-19"
    assert feed.status == Feed.Status.PROPOSED
    assert "Proposed with the source" in response.content.decode()


def test_a_bad_feed_address_stops_the_proposal_with_a_message(client, make_user, reference_data):
    client.force_login(make_user("vol@example.org"))

    response = client.post(
        "/sources/propose/",
        {
            "name": "X",
            "institution": "Y",
            "institution_type": "ministry",
            "country": "IT",
            "url": "https://example.org/covid",
            "cadence": "daily",
            "feed_url": "https://example.org/{day}.csv",
        },
    )

    assert response.status_code == 200
    assert "date pattern" in response.content.decode()
    assert not Feed.objects.exists()
