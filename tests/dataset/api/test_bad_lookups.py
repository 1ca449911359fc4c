"""A NUL in a lookup URL or a malformed cursor is the client's mistake: 400 or 404, never 500 (PostgreSQL
rejects NUL in text, so these run on both engines)."""

import base64
from urllib.parse import quote

import pytest

CURSORS = [
    "garbage",
    "%00",
    base64.b64encode(b"p=not-a-date").decode(),
    base64.b64encode(b"p=2020-13-45&r=1").decode(),
    base64.b64encode(b"p=\x00").decode(),
    base64.b64encode(b"o=notanumber").decode(),
    base64.b64encode("p=\udcff".encode("utf-8", "surrogatepass")).decode(),
    base64.b64encode(b"\xff\xfe").decode(),
]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/locations/IT%00/",
        "/api/v1/locations/%00/",
        "/api/v1/metrics/deaths%00/",
        "/api/v1/metrics/%00/",
        "/data/IT%00/",
        "/data/%00/",
        "/data/IT/deaths%00/provenance/",
        "/data/IT%00/deaths/provenance/",
        "/data/downloads/1/tidy.csv%00",
    ],
)
def test_a_nul_in_a_lookup_is_not_found(client_api, small_dataset, path):
    response = client_api.get(path)
    assert response.status_code in (400, 404), response.status_code


@pytest.mark.parametrize("cursor", CURSORS)
def test_a_malformed_cursor_is_refused(client_api, small_dataset, cursor):
    response = client_api.get(f"/api/v1/observations/?cursor={quote(cursor)}")
    assert response.status_code in (400, 404), (response.status_code, response.content[:300])


@pytest.mark.parametrize("offset", ["99999999999999999999999", "-5"])
def test_an_odd_offset_in_a_cursor_is_not_an_error(client_api, small_dataset, offset):
    cursor = base64.b64encode(f"o={offset}".encode()).decode()
    assert client_api.get(f"/api/v1/observations/?cursor={quote(cursor)}").status_code in (200, 404)


def test_a_valid_cursor_still_pages(client_api, small_dataset):
    first = client_api.get("/api/v1/observations/", {"page_size": 2}).json()
    second = client_api.get(first["next"])
    assert second.status_code == 200
    assert second.json()["results"]


@pytest.mark.parametrize("query", ["location=IT%00", "metric=deaths%00", "source=1%00", "date_from=%00"])
def test_a_nul_in_an_observation_filter_is_refused(client_api, small_dataset, query):
    response = client_api.get(f"/api/v1/observations/?{query}")
    assert response.status_code in (200, 400, 404), response.status_code
