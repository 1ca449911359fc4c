"""A series marked no longer reported (or unmarked) changes the API's answers at once, as it changes the
pages, though no release was made: the per-release cache of answers, the ETag and the series payloads
all name the version of the marks."""

from datetime import date

import pytest
from django.core.cache import cache

from dataset.api import series_answers
from dataset.models import Erratum
from dataset.selectors import latest_release
from places.models import Location, Metric

from .builders import make_source, publish, series

URL = "/api/v1/observations/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def recovered(reference_data):
    publish(
        {
            **series("IT", "recovered", "2020-03-01", [5, 40, 90, 0, 0]),
            **series("IT", "confirmed", "2020-03-01", [100, 200, 300, 400, 500]),
        },
        source=make_source(),
    )
    cache.clear()
    series_answers.forget_local()
    series_answers.warm_series(latest_release())


def _mark(start: str) -> Erratum:
    return Erratum.objects.create(
        location=Location.objects.get(key="IT"),
        metric=Metric.objects.get(code="recovered"),
        kind=Erratum.Kind.NO_LONGER_REPORTED,
        start=date.fromisoformat(start),
    )


def _dates(response) -> list[str]:
    return [row["date"] for row in response.json()["results"]]


def test_a_new_mark_ends_the_series_answer_at_once_and_removing_it_brings_the_values_back(client, recovered):
    query = f"{URL}?location=IT&metric=recovered"
    before = client.get(query)
    assert before["X-Cache"] == "series"
    assert len(_dates(before)) == 5
    mark = _mark("2020-03-04")
    after = client.get(query)
    assert after["X-Cache"] == "series"  # still the fast path, with the series' new payload
    assert _dates(after) == ["2020-03-01", "2020-03-02", "2020-03-03"]
    csv_lines = client.get(query + "&format=csv").content.decode().splitlines()
    assert len(csv_lines) == 1 + 3
    mark.delete()
    assert len(_dates(client.get(query))) == 5


def test_cached_answers_and_their_etags_change_with_the_marks(client, recovered):
    query = f"{URL}?location=IT&format=csv"  # two series: the database path, cached per release
    first = client.get(query)
    assert first["X-Cache"] == "miss"
    body = b"".join(first.streaming_content).decode()
    assert body.count(",recovered,") == 5
    assert client.get(query)["X-Cache"] == "hit"
    _mark("2020-03-04")
    # A client holding the old ETag gets the new answer, not a 304.
    fresh = client.get(query, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert fresh["ETag"] != first["ETag"]
    body = b"".join(fresh.streaming_content).decode()
    assert body.count(",recovered,") == 3
    assert body.count(",confirmed,") == 5  # the other series goes on


def test_a_mark_rewrites_only_its_own_series_payload(client, recovered):
    _mark("2020-03-04")
    series_answers.forget_local()
    count, written = series_answers.warm_series(latest_release())
    assert (count, written) == (2, 1)
