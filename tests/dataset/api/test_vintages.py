"""observations/?as_of=: values exactly as a past release published them, from the history."""

import pytest

from dataset import vintages
from dataset.models import Observation

from .builders import at, make_source, publish, series

URL = "/api/v1/observations/"


@pytest.fixture
def revised(reference_data):
    """Four releases of Italy's confirmed cases: corrections by two sources, then a new day.

    release 1 (2020-04-01): 03-01 = 10, 03-02 = 20               (ministry)
    release 2 (2020-04-02): 03-02 -> 25 (agency), 03-03 = 30 (new)
    release 3 (2020-04-03): 03-01 -> 11, 03-02 -> 27              (ministry)
    release 4 (2020-04-04): 03-04 = 40 (new)
    """
    ministry = make_source("Ministry of Health", "IT")
    agency = make_source("Civil Protection Agency", "IT")
    publish(series("IT", "confirmed", "2020-03-01", [10, 20]), source=ministry, created_at=at("2020-04-01"))
    publish(
        {("IT", "confirmed", "2020-03-02"): 25, ("IT", "confirmed", "2020-03-03"): 30},
        source=agency,
        created_at=at("2020-04-02"),
    )
    publish(
        {("IT", "confirmed", "2020-03-01"): 11, ("IT", "confirmed", "2020-03-02"): 27},
        source=ministry,
        created_at=at("2020-04-03"),
    )
    publish({("IT", "confirmed", "2020-03-04"): 40}, source=ministry, created_at=at("2020-04-04"))
    return {"ministry": ministry.pk, "agency": agency.pk}


def rows(client, **params):
    response = client.get(URL, {"location": "IT", "metric": "confirmed", **params})
    assert response.status_code == 200, response.content
    return [(r["date"], r["value"], r["source"], r["release"]) for r in response.json()["results"]]


def test_first_release_shows_the_values_before_any_correction(client_api, revised):
    m = revised["ministry"]
    assert rows(client_api, as_of=1) == [("2020-03-01", 10.0, m, 1), ("2020-03-02", 20.0, m, 1)]


def test_second_release_shows_its_correction_and_the_day_it_added(client_api, revised):
    m, a = revised["ministry"], revised["agency"]
    assert rows(client_api, as_of=2) == [
        ("2020-03-01", 10.0, m, 1),
        ("2020-03-02", 25.0, a, 2),
        ("2020-03-03", 30.0, a, 2),
    ]


def test_third_release_shows_values_changed_twice_at_their_second_correction(client_api, revised):
    m, a = revised["ministry"], revised["agency"]
    assert rows(client_api, as_of=3) == [
        ("2020-03-01", 11.0, m, 3),
        ("2020-03-02", 27.0, m, 3),
        ("2020-03-03", 30.0, a, 2),
    ]


def test_latest_release_as_of_equals_the_current_values(client_api, revised):
    assert rows(client_api, as_of=4) == rows(client_api)
    assert len(rows(client_api)) == 4


def test_as_of_a_date_uses_the_last_release_made_on_or_before_that_day(client_api, revised):
    assert rows(client_api, as_of="2020-04-02") == rows(client_api, as_of=2)
    assert rows(client_api, as_of="2020-04-03") == rows(client_api, as_of=3)


def test_as_of_an_unknown_release_is_a_clear_400(client_api, revised):
    response = client_api.get(URL, {"as_of": 99})
    assert response.status_code == 400
    assert response.json()["errors"]["as_of"] == ["There is no release number 99."]


def test_as_of_a_date_before_the_first_release_is_a_clear_400(client_api, revised):
    response = client_api.get(URL, {"as_of": "2020-01-01"})
    assert response.status_code == 400
    assert "No release had been published on or before 2020-01-01" in response.json()["detail"]


def test_as_of_garbage_is_a_clear_400(client_api, revised):
    response = client_api.get(URL, {"as_of": "last tuesday"})
    assert response.status_code == 400
    assert "release number or a date" in response.json()["errors"]["as_of"][0]


def test_source_filter_applies_to_the_source_of_that_vintage(client_api, revised):
    assert [r[0] for r in rows(client_api, as_of=2, source=revised["agency"])] == ["2020-03-02", "2020-03-03"]
    assert [r[0] for r in rows(client_api, source=revised["agency"])] == ["2020-03-03"]


def test_vintage_csv_has_the_past_values(client_api, revised):
    response = client_api.get(URL, {"location": "IT", "metric": "confirmed", "as_of": 1, "format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[1:] == [
        f"2020-03-01,IT,confirmed,10,{revised['ministry']},1",
        f"2020-03-02,IT,confirmed,20,{revised['ministry']},1",
    ]


def test_vintage_query_is_one_statement(revised, django_assert_num_queries):
    """Set-based: the whole vintage comes from a single SQL query, however many values changed."""
    release = vintages.resolve_release(2)
    with django_assert_num_queries(1):
        values = list(
            vintages.as_of(Observation.objects.all(), release).order_by("date").values_list(vintages.VALUE, flat=True)
        )
    assert values == [10.0, 25.0, 30.0]


def test_location_page_shows_a_past_release_when_selected(client, revised):
    page = client.get("/data/IT/", {"release": 1})
    assert page.status_code == 200
    html = page.content.decode()
    assert "as published in release 1" in html
    confirmed = next(s for s in page.context["series"] if s.metric.code == "confirmed")
    assert confirmed.values == [10.0, 20.0]
    assert '<option value="1" selected>' in html


def test_location_page_without_selection_shows_the_latest_values_and_the_selector(client, revised):
    page = client.get("/data/IT/")
    confirmed = next(s for s in page.context["series"] if s.metric.code == "confirmed")
    assert confirmed.values == [11.0, 27.0, 30.0, 40.0]
    assert 'name="release"' in page.content.decode()


def test_location_page_with_an_unknown_release_says_so_and_shows_the_latest(client, revised):
    page = client.get("/data/IT/", {"release": "77"})
    assert page.status_code == 200
    assert "There is no release 77; showing the latest values." in page.content.decode()
    confirmed = next(s for s in page.context["series"] if s.metric.code == "confirmed")
    assert confirmed.values == [11.0, 27.0, 30.0, 40.0]
