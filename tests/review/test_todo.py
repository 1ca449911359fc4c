"""A country's to-do page for its volunteers and reviewers."""

import pytest
from django.urls import reverse

from contributions.models import Submission
from sources.models import Feed
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db


def test_the_todo_page_lists_what_the_country_needs(client, make_user, reference_data):
    source = make_source(country="IT", name="Protezione Civile", metrics=["confirmed"])
    Feed.objects.create(source=source, url="https://example.org/a.csv", paused=True, paused_reason="HTTP 500 thrice")
    feed = Feed.objects.create(source=source, name="Daily file", url="https://example.org/b.csv")
    fetched = make_submission(
        submitter=make_user("feeds@example.org"),
        source=source,
        frame=frame_for(["IT_25"], ["confirmed"], ["2020-03-01"]),
    )
    Submission.objects.filter(pk=fetched.pk).update(feed=feed, status=Submission.Status.NEEDS_MAPPING)
    make_source(country="IT", name="Ministero della Salute")  # daily, and no file ever came
    volunteer = make_user("vol@example.org")
    client.force_login(volunteer)

    page = client.get(reverse("review:todo", args=["it"])).content.decode()

    assert "HTTP 500 thrice" in page  # paused feed
    assert f"#{fetched.pk}" in page  # a fetched file that needs a mapping
    assert "Deaths" in page  # a metric with no source
    assert "Ministero della Salute</a>: no file ever" in page  # a daily source with no upload: stale
    assert "Lombardia" in page or "Lombardy" in page  # a region with no data and no source


def test_a_volunteer_of_the_country_may_map_a_fetched_file_and_others_may_not(make_user, reference_data):
    source = make_source(country="IT")
    feed = Feed.objects.create(source=source, url="https://example.org/b.csv")
    fetched = make_submission(
        submitter=make_user("feeds@example.org"),
        source=source,
        frame=frame_for(["IT_25"], ["confirmed"], ["2020-03-01"]),
    )
    Submission.objects.filter(pk=fetched.pk).update(
        feed=feed, status=Submission.Status.NEEDS_MAPPING, country=source.country
    )
    fetched.refresh_from_db()
    italian, german = make_user("it@example.org"), make_user("de@example.org", countries=["DE"])

    assert fetched.can_be_edited_by(italian)
    assert not fetched.can_be_edited_by(german)
    assert Submission.objects.visible_to(italian).filter(pk=fetched.pk).exists()
    assert not Submission.objects.visible_to(german).filter(pk=fetched.pk).exists()


def test_the_next_steps_page_links_to_the_todo_page(client, make_user, reference_data):
    client.force_login(make_user("vol@example.org"))

    page = client.get(reverse("outreach:next_steps")).content.decode()

    assert reverse("review:todo", args=["IT"]) in page
