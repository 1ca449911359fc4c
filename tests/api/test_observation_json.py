"""Pages of observations are written as JSON straight from the query's rows: the bytes must be those DRF's
renderer writes from the documented serializer's fields, and an unknown key is still a 400."""

from datetime import date

import pytest
from rest_framework.renderers import JSONRenderer

from dataset import vintages
from dataset.api.serializers import (
    OBSERVATION_FIELDS,
    ObservationJSONRenderer,
    ObservationPage,
    ObservationSerializer,
)
from dataset.models import Observation
from tests.dataset.api.builders import make_source, publish, series

URL = "/api/v1/observations/"


def drf_bytes(page: ObservationPage) -> bytes:
    rows = [dict(zip(OBSERVATION_FIELDS, row, strict=True)) for row in page.rows]
    data = {
        "next": page.next_link,
        "previous": page.previous_link,
        "results": ObservationSerializer(rows, many=True).data,
    }
    return JSONRenderer().render(data)


@pytest.mark.parametrize(
    "rows",
    [
        [(date(2020, 3, 1), "IT", "confirmed", 1694.0, 3, 1), (date(2020, 3, 2), "IT", "confirmed", 0.1, 3, 2)],
        [(date(2021, 12, 31), "CÔTE\u2028", "déc\u2029ès", 1e-07, 12, 7)],  # non-ASCII and JS line separators
        [(date(2020, 1, 1), "US_CA_06037", "tests", 123456789012.5, 1, 1)],
        [(date(2020, 1, 1), "FR", "deaths", 5.0, None, 3)],  # a null takes the general path
        [],
    ],
)
def test_fast_page_is_byte_for_byte_what_drf_renders(rows):
    page = ObservationPage("http://testserver/api/v1/observations/?cursor=cD0y", None, rows)
    assert ObservationJSONRenderer().render(page) == drf_bytes(page)


def test_a_value_that_is_not_finite_is_refused_as_drf_refuses_it():
    page = ObservationPage(None, None, [(date(2020, 1, 1), "FR", "deaths", float("nan"), 1, 1)])
    with pytest.raises(ValueError, match="JSON compliant"):
        ObservationJSONRenderer().render(page)


def test_indented_json_is_still_rendered_by_drf():
    page = ObservationPage(None, None, [(date(2020, 3, 1), "IT", "confirmed", 1.0, 3, 1)])
    indented = ObservationJSONRenderer().render(page, "application/json; indent=2")
    assert indented == JSONRenderer().render(page.as_data(), "application/json; indent=2")
    assert b"\n  " in indented


@pytest.fixture
def published(reference_data):
    source = make_source()
    publish(
        {**series("IT", "confirmed", "2020-03-01", [1694, 2036]), **series("IT_25", "confirmed", "2020-03-01", [984])},
        source=source,
    )
    return source


def test_api_page_matches_the_serializer_for_every_value(client, published):
    body = client.get(URL, {"location": "IT", "include_subregions": "true"}).content
    rows = list(
        vintages.current(Observation.objects.all())
        .order_by("date", "location_id", "metric_id")
        .values_list(*OBSERVATION_FIELDS)
    )
    assert body == drf_bytes(ObservationPage(None, None, rows))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_unknown_key_beside_a_known_one_is_still_refused(client, published, fmt):
    response = client.get(URL, {"location": "IT,XX", "metric": "confirmed", "format": fmt})
    assert response.status_code == 400
    assert "XX" in response.json()["location"][0]


def test_a_known_key_without_values_is_an_empty_answer_not_an_error(client, published):
    response = client.get(URL, {"location": "DE", "metric": "deaths"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_an_unknown_metric_is_refused_even_when_the_location_has_values(client, published):
    response = client.get(URL, {"location": "IT", "metric": "confirmed,nonsense"})
    assert response.status_code == 400
    assert "nonsense" in response.json()["metric"][0]
