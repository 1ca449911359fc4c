"""Following changes: the Atom feed of releases, a place's feed, and a release's changelog page."""

import pytest
from defusedxml import ElementTree
from django.urls import reverse

from dataset.upsert import upsert_observations
from tests.review.builders import frame_for
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def releases(reference_data):
    source = make_source()
    first = upsert_observations(
        frame_for(["IT_25", "DE_BY"], ["confirmed"], ["2020-03-01", "2020-03-02"], value=lambda i: i),
        source=source,
        description="First import",
    ).release
    second = upsert_observations(
        frame_for(["IT_25"], ["confirmed"], ["2020-03-02", "2020-03-03"], value=lambda i: 50 + i),
        source=source,
        description="Lombardy corrected",
    ).release
    return first, second


def atom(response):
    """The feed parsed as XML, checked for the elements Atom (RFC 4287) requires."""
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.find(f"{ATOM}link").get("href")
    return feed, entries


def test_the_releases_feed_is_atom_with_counts_per_country(client, releases):
    _, entries = atom(client.get(reverse("dataset:releases_feed")))
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        f"Release {releases[1].number}: Lombardy corrected",
        f"Release {releases[0].number}: First import",
    ]
    newest = entries[0].findtext(f"{ATOM}summary")
    assert "IT: 1 added, 1 changed" in newest
    oldest = entries[1].findtext(f"{ATOM}summary")
    assert "DE: 2 added, 0 changed" in oldest
    assert "IT: 2 added, 0 changed" in oldest


def test_a_place_feed_lists_the_releases_that_changed_it(client, releases):
    _, entries = atom(client.get(reverse("dataset:place_feed", args=["IT_25"])))
    assert len(entries) == 2
    assert "confirmed: 1 added, 1 changed (2020-03-02 to 2020-03-03)" in entries[0].findtext(f"{ATOM}summary")
    _, bavaria = atom(client.get(reverse("dataset:place_feed", args=["DE_BY"])))
    assert len(bavaria) == 1
    assert client.get(reverse("dataset:place_feed", args=["XX_NOWHERE"])).status_code == 404


def test_the_changelog_page_lists_changes_per_place_and_metric(client, releases):
    page = client.get(reverse("dataset:release_changes", args=[releases[1].number])).content.decode()
    assert 'id="place-IT_25"' in page
    assert "DE_BY" not in page
    assert "2020-03-02 – 2020-03-03" in page
    assert client.get(reverse("dataset:release_changes", args=[999])).status_code == 404
