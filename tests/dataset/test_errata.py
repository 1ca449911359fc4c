"""Errata: reviewers of a country write them; everyone sees them on the place's page, its charts, the
public list and its CSV, the API and the release files."""

import csv
import io
from datetime import date
from pathlib import Path
from typing import cast

import pytest
from django.conf import settings
from django.urls import reverse

from dataset import errata
from dataset.models import Erratum, Observation
from dataset.tasks import build_exports
from places.models import Location, Metric
from tests.dataset.factories import ObservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(make_user):
    return make_user("rev-it@example.org", role="reviewer", countries=("IT",))


@pytest.fixture
def german_reviewer(make_user):
    return make_user("rev-de@example.org", role="reviewer", countries=("DE",))


def form_data(**overrides):
    data = {
        "location_key": "IT_25",
        "metric": "confirmed",
        "kind": "correction",
        "start": "2020-06-19",
        "end": "2020-06-21",
        "what_is_wrong": "A backlog of tests counted on one day",
        "source_said": '=HYPERLINK("http://x") Ministry bulletin of 22 June',
        "link": "https://example.org/bulletin",
    }
    data.update(overrides)
    return data


@pytest.fixture
def erratum(reference_data, reviewer):
    return errata.save(
        erratum=Erratum(
            location=Location.objects.get(key="IT_25"),
            metric=Metric.objects.get(code="confirmed"),
            start=date(2020, 6, 19),
            end=date(2020, 6, 21),
            what_is_wrong="A backlog of tests counted on one day",
            source_said="=cmd Ministry bulletin",
        ),
        user=reviewer,
    )


def test_a_reviewer_of_the_country_adds_an_erratum_shown_on_the_place_page(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("dataset:erratum_new"), form_data())
    assert response.status_code == 302
    saved = Erratum.objects.get()
    assert (saved.location.key, saved.metric.code, saved.author) == ("IT_25", "confirmed", reviewer)
    client.logout()
    page = client.get(reverse("dataset:location", args=["IT_25"])).content.decode()
    assert "A backlog of tests counted on one day" in page
    assert 'id="errata-data"' in page
    assert '"start": "2020-06-19"' in page


def test_reviewers_of_other_countries_and_volunteers_cannot_add_errata(client, german_reviewer, make_user):
    client.force_login(german_reviewer)
    response = client.post(reverse("dataset:erratum_new"), form_data())
    assert response.status_code == 200
    assert "Only reviewers of this country" in response.content.decode()
    client.force_login(make_user("vol@example.org"))
    assert client.post(reverse("dataset:erratum_new"), form_data()).status_code == 403
    assert not Erratum.objects.exists()


def test_a_series_has_at_most_one_no_longer_reported_mark(client, reviewer):
    client.force_login(reviewer)
    mark = form_data(kind="no_longer_reported", end="")
    client.post(reverse("dataset:erratum_new"), mark)
    response = client.post(reverse("dataset:erratum_new"), mark)
    assert response.status_code == 200
    assert Erratum.objects.count() == 1


def test_the_reviewer_edits_and_removes_an_erratum(client, reviewer, erratum):
    client.force_login(reviewer)
    client.post(reverse("dataset:erratum_edit", args=[erratum.pk]), form_data(what_is_wrong="Fixed text"))
    erratum.refresh_from_db()
    assert erratum.what_is_wrong == "Fixed text"
    client.post(reverse("dataset:erratum_delete", args=[erratum.pk]))
    assert not Erratum.objects.exists()


def test_the_public_list_and_its_csv(client, erratum):
    page = client.get(reverse("dataset:errata"), {"country": "IT"}).content.decode()
    assert "A backlog of tests counted on one day" in page
    assert "A backlog" not in client.get(reverse("dataset:errata"), {"country": "DE"}).content.decode()
    response = client.get(reverse("dataset:errata"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["location_key"] == "IT_25"
    assert rows[0]["start"] == "2020-06-19"
    assert rows[0]["end"] == "2020-06-21"
    assert rows[0]["source_said"] == "'=cmd Ministry bulletin"  # a formula is escaped


def test_the_api_lists_errata_with_filters(client, erratum):
    url = "/api/v1/errata/"
    body = client.get(url, {"location": "IT_25", "date": "2020-06-20"}).json()
    assert body["count"] == 1
    assert body["results"][0]["metric"] == "confirmed"
    assert body["results"][0]["what_is_wrong"] == "A backlog of tests counted on one day"
    assert client.get(url, {"date": "2020-06-22"}).json()["count"] == 0
    assert client.get(url, {"country": "DE"}).json()["count"] == 0
    assert client.get(f"{url}{erratum.pk}/").json()["location"] == "IT_25"


def test_each_release_has_an_errata_file(erratum):
    observation = cast(Observation, ObservationFactory(location_key="IT_25", metric_code="confirmed", value=5))
    release = observation.release
    build_exports(release.pk)
    path = Path(settings.EXPORTS_ROOT) / str(release.number) / errata.ERRATA_NAME
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["location_key"], r["metric"], r["kind"]) for r in rows] == [("IT_25", "confirmed", "correction")]
    assert release.files.filter(name=errata.ERRATA_NAME).exists()
