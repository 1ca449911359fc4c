"""GET /api/v1/series/: whole series with their derived figures (daily new, 7-day average, per 100,000),
as JSON and CSV, computed on the server as the data dictionary defines them."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from dataset.api.series_figures import MAX_SERIES, SeriesRequest, answer
from dataset.models import Erratum
from dataset.series import daily_changes, trailing_average
from places.models import Location, Metric

from .builders import make_source, publish, series

URL = "/api/v1/series/"
pytestmark = pytest.mark.django_db

# Italy's confirmed cases with a correction on 10 March (a fall of 500) and a missing 5 March.
ITALY = [1694, 2036, 2502, 3089, None, 4636, 5883, 7366, 9172, 8672, 12462, 15113]
RECOVERED = [10, 20, 40, 80, 160, 320, 640, 1280, 0, 0, 0, 0]  # zeroed by the source from 9 March


@pytest.fixture
def dataset(reference_data):
    cache.clear()
    values = {k: v for k, v in series("IT", "confirmed", "2020-03-01", ITALY).items() if v is not None}
    publish(
        {
            **values,
            **series("IT", "recovered", "2020-03-01", RECOVERED),
            **series("IT_25", "confirmed", "2020-03-01", [984, 1254, 1520, 1820, 2251, 2612, 3420, 4189]),
            **series("DE", "confirmed", "2020-03-01", [130, 159, 196, 262, 482, 670, 799, 1040]),
        },
        source=make_source(),
    )
    Erratum.objects.create(
        location=Location.objects.get(key="IT"),
        metric=Metric.objects.get(code="recovered"),
        kind=Erratum.Kind.NO_LONGER_REPORTED,
        start=date(2020, 3, 9),
    )
    Location.objects.filter(key="IT_25").update(population=None)
    return Location.objects.get(key="IT").population


def _one(response, location="IT", metric="confirmed"):
    assert response.status_code == 200, response.content
    return next(s for s in response.json()["results"] if s["location"] == location and s["metric"] == metric)


def _column(found, name):
    return [point[name] for point in found["data"]]


def test_a_cumulative_series_carries_its_daily_new_figures_and_corrections_stay_negative(client, dataset):
    italy = _one(client.get(URL, {"location": "IT", "metric": "confirmed"}))
    assert italy["kind"] == "cumulative"
    assert _column(italy, "date")[:5] == ["2020-03-01", "2020-03-02", "2020-03-03", "2020-03-04", "2020-03-06"]
    daily = _column(italy, "daily_new")
    assert daily[:5] == [None, 342, 466, 587, 1547]  # 6 March: the change since 4 March
    assert daily[8] == -500  # the source corrected itself on 10 March


def test_the_figures_are_those_the_location_pages_show(client, dataset):
    italy = _one(client.get(URL, {"location": "IT", "metric": "confirmed"}))
    days = [date.fromisoformat(d) for d in _column(italy, "date")]
    values = _column(italy, "value")
    daily = daily_changes(days, values, cumulative=True)
    assert _column(italy, "daily_new") == daily
    page_average = trailing_average(days, daily)  # the pages round to 2 decimals
    assert [None if a is None else round(a, 2) for a in _column(italy, "daily_new_7day_average")] == page_average
    assert page_average[-1] is not None


def test_the_average_is_empty_until_seven_days_have_passed(client, dataset):
    germany = _one(client.get(URL, {"location": "DE", "metric": "confirmed"}), "DE")
    averages = _column(germany, "daily_new_7day_average")
    assert averages[:7] == [None] * 7
    assert averages[7] == pytest.approx((1040 - 130) / 7, abs=1e-6)  # the 7 daily figures of 2-8 March


def test_figures_per_100k_use_the_population_and_are_empty_without_one(client, dataset):
    response = client.get(URL, {"location": "IT,IT_25", "metric": "confirmed"})
    italy, lombardy = _one(response), _one(response, "IT_25")
    assert italy["population"] == dataset
    assert _column(italy, "value_per_100k")[0] == pytest.approx(1694 * 100_000 / dataset, abs=1e-6)
    assert _column(italy, "daily_new_per_100k")[1] == pytest.approx(342 * 100_000 / dataset, abs=1e-6)
    last = italy["data"][-1]
    assert last["daily_new_7day_average_per_100k"] == pytest.approx(
        last["daily_new_7day_average"] * 100_000 / dataset, abs=1e-6
    )
    assert lombardy["population"] is None
    assert {p["value_per_100k"] for p in lombardy["data"]} == {None}
    assert {p["daily_new_7day_average_per_100k"] for p in lombardy["data"]} == {None}
    assert lombardy["data"][-1]["daily_new_7day_average"] is not None


def test_an_ended_series_stops_before_its_end_without_a_false_fall(client, dataset):
    recovered = _one(client.get(URL, {"location": "IT", "metric": "recovered"}), metric="recovered")
    assert recovered["ended"] == "2020-03-09"
    assert _column(recovered, "date")[-1] == "2020-03-08"
    assert min(v for v in _column(recovered, "daily_new") if v is not None) == 10  # no -1280 day


def test_figures_at_date_from_count_the_values_before_it(client, dataset):
    whole = _one(client.get(URL, {"location": "IT", "metric": "confirmed"}))
    dates = {"date_from": "2020-03-08", "date_to": "2020-03-10"}
    cut = _one(client.get(URL, {"location": "IT", "metric": "confirmed", **dates}))
    assert _column(cut, "date") == ["2020-03-08", "2020-03-09", "2020-03-10"]
    assert cut["data"] == [p for p in whole["data"] if "2020-03-08" <= p["date"] <= "2020-03-10"]
    assert cut["data"][0]["daily_new"] == 1483
    assert cut["data"][0]["daily_new_7day_average"] is not None


def test_series_come_in_the_order_asked_and_a_series_without_values_is_empty(client, dataset):
    response = client.get(URL, {"location": "DE,IT", "metric": "confirmed,deaths"})
    results = response.json()["results"]
    assert [(s["location"], s["metric"]) for s in results] == [
        ("DE", "confirmed"),
        ("DE", "deaths"),
        ("IT", "confirmed"),
        ("IT", "deaths"),
    ]
    assert results[1]["data"] == []


def test_csv_has_one_row_per_location_metric_and_date(client, dataset):
    response = client.get(URL, {"location": "IT,DE", "metric": "confirmed", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "date",
        "location",
        "metric",
        "value",
        "daily_new",
        "daily_new_7day_average",
        "value_per_100k",
        "daily_new_per_100k",
        "daily_new_7day_average_per_100k",
    ]
    assert len(rows) == 11 + 8
    assert rows[0] == {**rows[0], "date": "2020-03-01", "location": "IT", "value": "1694", "daily_new": ""}
    correction = next(row for row in rows if row["location"] == "IT" and row["date"] == "2020-03-10")
    assert correction["daily_new"] == "-500"
    json_italy = _one(client.get(URL, {"location": "IT", "metric": "confirmed"}))
    csv_italy = [row for row in rows if row["location"] == "IT"]
    assert [float(r["daily_new_7day_average"] or "nan") for r in csv_italy][7:] == _column(
        json_italy, "daily_new_7day_average"
    )[7:]


def test_as_of_gives_the_figures_of_the_values_a_past_release_published(client, dataset):
    first = publish(series("FR", "confirmed", "2020-03-01", [100, 130, 191]), source=make_source("Santé publique"))
    publish(series("FR", "confirmed", "2020-03-02", [120]), source=make_source("Santé publique"))
    now = _one(client.get(URL, {"location": "FR", "metric": "confirmed"}), "FR")
    then = _one(client.get(URL, {"location": "FR", "metric": "confirmed", "as_of": first.number}), "FR")
    assert _column(now, "daily_new") == [None, 20, 71]
    assert _column(then, "daily_new") == [None, 30, 61]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"location": "XX", "metric": "confirmed"}, "location", "Unknown location key: XX"),
        ({"location": "IT", "metric": "sneezes"}, "metric", "Unknown metric: sneezes"),
        ({"metric": "confirmed"}, "location", "required"),
        ({"location": "IT"}, "metric", "required"),
        ({"location": "IT", "metric": "confirmed", "date_from": "March"}, "date_from", "Date has wrong format"),
        ({"location": "IT", "metric": "confirmed", "as_of": "999"}, "as_of", "no release number 999"),
        ({"location": "IT", "metric": "confirmed", "ordering": "-date"}, "ordering", "Unknown parameter: ordering"),
        (
            {"location": "IT", "metric": "confirmed", "date_from": "2020-03-05", "date_to": "2020-03-01"},
            "date_from",
            "after date_to",
        ),
    ],
)
def test_a_wrong_parameter_is_a_400_that_names_it(client, dataset, params, field, words):
    for fmt in ("json", "csv"):
        response = client.get(URL, {**params, "format": fmt})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert words in " ".join(response.json()["errors"][field])


def test_too_many_series_is_a_400_that_says_the_limit(client, dataset):
    keys = ",".join(Location.objects.filter(level="country").values_list("key", flat=True)[: MAX_SERIES // 2 + 1])
    response = client.get(URL, {"location": keys, "metric": "confirmed,deaths"})
    assert response.status_code == 400
    assert f"At most {MAX_SERIES} series" in response.json()["errors"]["location"][0]


def test_the_answer_is_read_with_a_fixed_number_of_queries_and_cached_per_release(client, dataset):
    def queries(locations):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"location": locations, "metric": "confirmed,recovered"}).status_code == 200
        return len(captured)

    assert queries("IT") == queries("IT,DE,IT_25,FR")
    first = client.get(URL, {"location": "IT", "metric": "confirmed"})
    assert first["X-Cache"] == "miss"
    again = client.get(URL, {"location": "IT", "metric": "confirmed"})
    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    revalidated = client.get(URL, {"location": "IT", "metric": "confirmed"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304


def test_a_release_or_an_end_mark_changes_the_answer_at_once(client, dataset):
    query = {"location": "IT", "metric": "confirmed,recovered"}
    first = client.get(URL, query)
    publish(series("IT", "confirmed", "2020-03-13", [17660]), source=make_source())
    cache.delete("api:latest-release")  # the kept release state lasts a few seconds
    after_release = client.get(URL, query, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after_release.status_code == 200
    assert _column(_one(after_release), "daily_new")[-1] == 17660 - 15113
    Erratum.objects.filter(metric__code="recovered").delete()
    unmarked = client.get(URL, query, HTTP_IF_NONE_MATCH=after_release["ETag"])
    assert unmarked.status_code == 200
    assert len(_one(unmarked, metric="recovered")["data"]) == len(RECOVERED)


def test_the_json_written_from_columns_is_what_drf_writes_from_the_data(client, dataset):
    query = SeriesRequest(["IT", "IT_25", "DE"], ["confirmed", "recovered"], date(2020, 3, 2), None, None)
    found = answer(query)
    assert found.json().encode() == JSONRenderer().render(found.as_data())
    params = {"location": "IT,IT_25,DE", "metric": "confirmed,recovered", "date_from": "2020-03-02"}
    indented = client.get(URL, params, HTTP_ACCEPT="application/json; indent=2")
    assert b"\n  " in indented.content
    assert json.loads(found.json()) == indented.json()
