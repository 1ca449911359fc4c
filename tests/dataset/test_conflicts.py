"""Conflicts between sources: a value one source gave and another replaced shows in the public
report (page, CSV, API) with both sources, the difference and why the winner won."""

import csv
import io

import pytest
from django.urls import reverse

from dataset.models import ConflictExplanation, ObservationHistory
from dataset.upsert import upsert_observations
from tests.review.builders import frame_for
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db
DATES = ["2020-03-01", "2020-03-02"]


@pytest.fixture
def two_sources(reference_data):
    """An aggregator gave values; the ministry (higher priority) gave other values for one date."""
    aggregator = make_source(name="Aggregator", institution_type="aggregator", priority=10)
    ministry = make_source(name="Ministry", priority=100)
    upsert_observations(
        frame_for(["IT_25"], ["confirmed"], DATES, value=lambda i: 10 + i), source=aggregator, description="aggregator"
    )
    upsert_observations(
        frame_for(["IT_25"], ["confirmed"], DATES[:1], value=lambda i: 13), source=ministry, description="ministry"
    )
    return aggregator, ministry


def test_the_conflict_shows_in_the_country_report(client, two_sources):
    page = client.get(reverse("dataset:conflicts", args=["IT"])).content.decode()
    assert "Aggregator" in page
    assert "Ministry" in page
    assert "higher priority" in page
    assert "2020-03-01" in page
    assert "Aggregator" not in client.get(reverse("dataset:conflicts", args=["DE"])).content.decode()
    index = client.get(reverse("dataset:conflict_index")).content.decode()
    assert reverse("dataset:conflicts", args=["IT"]) in index


def test_the_api_lists_conflicts_with_both_sources_and_the_difference(client, two_sources):
    body = client.get("/api/v1/conflicts/", {"country": "IT"}).json()
    assert body["count"] == 1
    conflict = body["results"][0]
    assert conflict["losing_source"]["name"] == "Aggregator"
    assert conflict["winning_source"]["name"] == "Ministry"
    assert (conflict["losing_value"], conflict["winning_value"], conflict["difference"]) == (10.0, 13.0, 3.0)
    assert conflict["won_by"] == "priority"


def test_an_override_of_a_higher_priority_source_is_named(client, two_sources):
    aggregator, _ = two_sources
    upsert_observations(
        frame_for(["IT_25"], ["confirmed"], DATES[:1], value=lambda i: 20),
        source=aggregator,
        description="override",
        allow_override=True,
    )
    won = {item["won_by"] for item in client.get("/api/v1/conflicts/", {"country": "IT"}).json()["results"]}
    assert won == {"priority", "override"}


def test_a_reviewer_of_the_country_marks_a_conflict_explained(client, two_sources, make_user):
    row = ObservationHistory.objects.get()
    url = reverse("dataset:explain_conflict", args=["IT", row.pk])
    client.force_login(make_user("rev-de@example.org", role="reviewer", countries=("DE",)))
    client.post(url, {"explanation": "not mine"})
    assert not ConflictExplanation.objects.exists()
    client.force_login(make_user("rev-it@example.org", role="reviewer", countries=("IT",)))
    client.post(url, {"explanation": "The aggregator counted a day late"})
    assert client.get("/api/v1/conflicts/", {"explained": "true"}).json()["count"] == 1
    assert client.get("/api/v1/conflicts/", {"explained": "false"}).json()["count"] == 0
    response = client.get(reverse("dataset:conflicts", args=["IT"]), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["explanation"] == "The aggregator counted a day late"


def test_the_source_priority_table_is_public(client, two_sources):
    page = client.get(reverse("dataset:priorities")).content.decode()
    assert page.index("Ministry") < page.index("Aggregator")
