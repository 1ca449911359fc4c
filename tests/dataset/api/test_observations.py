"""observations/: filters, ordering, cursor pages, streamed CSV that pandas reads directly."""

import io

import pandas as pd
import pytest

from .builders import make_source, publish, series

URL = "/api/v1/observations/"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keys(response):
    return sorted({(r["location"], r["metric"]) for r in results(response)})


def test_each_value_carries_its_source_and_release(client_api, small_dataset):
    row = results(client_api.get(URL, {"location": "DE", "metric": "confirmed", "date_from": "2020-03-03"}))
    assert row == [
        {
            "date": "2020-03-03",
            "location": "DE",
            "metric": "confirmed",
            "value": 196.0,
            "source": small_dataset["rki"].pk,
            "release": 2,
        }
    ]


def test_several_locations_comma_separated_or_repeated(client_api, small_dataset):
    expected = [("DE", "confirmed"), ("IT", "confirmed"), ("IT", "deaths")]
    assert keys(client_api.get(URL, {"location": "IT,DE"})) == expected
    assert keys(client_api.get(f"{URL}?location=IT&location=de")) == expected


def test_a_country_with_include_subregions_adds_its_regions(client_api, small_dataset):
    assert keys(client_api.get(URL, {"location": "IT", "metric": "confirmed"})) == [("IT", "confirmed")]
    with_regions = client_api.get(URL, {"location": "IT", "metric": "confirmed", "include_subregions": "true"})
    assert keys(with_regions) == [("IT", "confirmed"), ("IT_25", "confirmed")]


def test_several_metrics(client_api, small_dataset):
    assert keys(client_api.get(URL, {"location": "IT", "metric": "deaths,confirmed"})) == [
        ("IT", "confirmed"),
        ("IT", "deaths"),
    ]


def test_date_range_is_inclusive(client_api, small_dataset):
    rows = results(
        client_api.get(URL, {"location": "IT", "metric": "deaths", "date_from": "2020-03-02", "date_to": "2020-03-02"})
    )
    assert [(r["date"], r["value"]) for r in rows] == [("2020-03-02", 52.0)]


def test_source_filter(client_api, small_dataset):
    assert keys(client_api.get(URL, {"source": small_dataset["rki"].pk})) == [("DE", "confirmed")]


def test_newest_first_ordering(client_api, small_dataset):
    rows = results(client_api.get(URL, {"location": "IT", "metric": "deaths", "ordering": "-date"}))
    assert [r["date"] for r in rows] == ["2020-03-03", "2020-03-02", "2020-03-01"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"location": "IT,XX"}, "location", "Unknown location key: XX."),
        ({"metric": "cases"}, "metric", "Unknown metric: cases. See /api/v1/metrics/."),
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
        ({"ordering": "value"}, "ordering", "Use ordering=date or ordering=-date."),
        ({"source": "1.5"}, "source", "Enter a whole number."),
        (
            {"location": ",".join(f"X{i}" for i in range(12))},
            "location",
            "Unknown location key: X0, X1, X2, X3, X4, X5, X6, X7, X8, X9 and 2 more.",
        ),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter(client_api, small_dataset, params, field, message):
    response = client_api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["status"] == 400
    assert body["errors"][field] == [message]


def test_cursor_pages_cover_every_value_once(client_api, small_dataset):
    seen, url = [], URL + "?page_size=4"
    while url:
        body = client_api.get(url).json()
        seen += [(r["date"], r["location"], r["metric"]) for r in body["results"]]
        url = body["next"]
    assert len(seen) == 12
    assert len(set(seen)) == 12
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)


def test_csv_by_format_parameter_is_streamed(client_api, small_dataset):
    response = client_api.get(URL, {"location": "IT", "metric": "deaths", "format": "csv"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    ministry = small_dataset["ministry"].pk
    assert body.splitlines() == [
        "date,location,metric,value,source,release",
        f"2020-03-01,IT,deaths,34,{ministry},1",
        f"2020-03-02,IT,deaths,52,{ministry},1",
        f"2020-03-03,IT,deaths,79,{ministry},1",
    ]


def test_csv_by_accept_header_has_every_matching_value_without_pages(client_api, reference_data):
    publish(series("FR", "confirmed", "2020-01-01", list(range(2500))), source=make_source("Sante publique", "FR"))
    response = client_api.get(URL, {"location": "FR"}, HTTP_ACCEPT="text/csv")
    frame = pd.read_csv(io.BytesIO(b"".join(response.streaming_content)))
    assert len(frame) == 2500
    assert frame["value"].tolist() == list(range(2500))


def test_a_csv_request_with_a_bad_parameter_gets_a_json_error(client_api, small_dataset):
    response = client_api.get(URL, {"location": "XX", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]["location"] == ["Unknown location key: XX."]


@pytest.mark.django_db(transaction=True)
def test_pandas_reads_the_csv_endpoint_directly(live_server, reference_data):
    publish(series("IT", "confirmed", "2020-02-24", [229, 322, 400, 650]), source=make_source())
    frame = pd.read_csv(live_server.url + "/api/v1/observations/?format=csv&location=IT&metric=confirmed")
    assert list(frame.columns) == ["date", "location", "metric", "value", "source", "release"]
    assert frame["value"].tolist() == [229, 322, 400, 650]
    assert frame["date"].tolist() == ["2020-02-24", "2020-02-25", "2020-02-26", "2020-02-27"]


def test_fast_rows_match_the_documented_serializer(small_dataset):
    """The view builds rows without DRF fields for speed; they must be what the schema describes."""
    from dataset import vintages
    from dataset.api.serializers import OBSERVATION_FIELDS, ObservationSerializer, observation_rows
    from dataset.models import Observation

    rows = list(
        vintages.current(Observation.objects.all())
        .order_by("date", "location_id", "metric_id")
        .values(*OBSERVATION_FIELDS)
    )
    assert observation_rows(rows) == ObservationSerializer(rows, many=True).data


def test_csv_is_sent_in_chunks_not_built_whole(client_api, reference_data):
    publish(
        {
            **series("FR", "confirmed", "2020-01-01", list(range(6000))),
            **series("FR", "deaths", "2020-01-01", list(range(6000))),
        },
        source=make_source("Sante publique", "FR"),
    )
    response = client_api.get(URL, {"location": "FR", "format": "csv"})
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3  # 12,000 rows in chunks of 5,000 rows
    assert sum(chunk.count(b"\n") for chunk in chunks) == 12001
