"""ETag / Last-Modified from the latest release, 304s, and the per-release cache of public reads."""

import pytest
from django.utils.http import http_date

from .builders import make_source, publish, series

SERIES = "/api/v1/observations/?location=IT&metric=confirmed"


@pytest.fixture
def published(reference_data):
    source = make_source()
    release = publish(series("IT", "confirmed", "2020-03-01", [1, 2, 3]), source=source)
    return {"source": source, "release": release}


@pytest.mark.parametrize(
    "url", [SERIES, SERIES + "&format=csv", "/api/v1/locations/IT/", "/api/v1/metrics/", "/api/v1/releases/"]
)
def test_public_reads_carry_validators_from_the_latest_release(client_api, published, url):
    response = client_api.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"r1-')
    assert response["Last-Modified"] == http_date(published["release"].created_at.timestamp())
    assert response["X-Release"] == "1"


@pytest.mark.parametrize("url", [SERIES, SERIES + "&format=csv"])
def test_if_none_match_with_the_current_etag_gets_304(client_api, published, url):
    etag = client_api.get(url)["ETag"]
    response = client_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_if_modified_since_the_latest_release_gets_304(client_api, published):
    last_modified = client_api.get(SERIES)["Last-Modified"]
    assert client_api.get(SERIES, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_json_and_csv_of_the_same_query_have_different_etags(client_api, published):
    assert client_api.get(SERIES)["ETag"] != client_api.get(SERIES + "&format=csv")["ETag"]


def test_second_read_comes_from_the_cache_without_the_database(client_api, published, django_assert_num_queries):
    first = client_api.get(SERIES)
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client_api.get(SERIES)
    assert second["X-Cache"] == "hit"
    assert second.json() == first.json()


def test_small_csv_is_cached_after_being_streamed(client_api, published):
    first = b"".join(client_api.get(SERIES + "&format=csv").streaming_content)
    second = client_api.get(SERIES + "&format=csv")
    assert second["X-Cache"] == "hit"
    assert second.content == first
    assert second["Content-Type"].startswith("text/csv")


def test_a_new_release_invalidates_the_cache_and_the_etag(client_api, published):
    before = client_api.get(SERIES)
    publish({("IT", "confirmed", "2020-03-03"): 4}, source=published["source"])
    after = client_api.get(SERIES, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["X-Cache"] == "miss"
    assert after["ETag"].startswith('"r2-')
    assert [r["value"] for r in after.json()["results"]] == [1.0, 2.0, 4.0]


def test_errors_are_not_cached(client_api, published):
    assert client_api.get(SERIES + "&date_from=nope").status_code == 400
    response = client_api.get(SERIES + "&date_from=nope")
    assert response.status_code == 400
    assert "ETag" not in response


def test_browsable_html_is_never_cached_or_shared(client, make_user, published):
    """The HTML view names the logged-in user and carries a CSRF token: it must not be served to others."""
    client.force_login(make_user("someone@example.org"))
    first = client.get("/api/v1/metrics/", HTTP_ACCEPT="text/html")
    assert first.status_code == 200
    assert "someone@example.org" in first.content.decode()
    client.logout()
    second = client.get("/api/v1/metrics/", HTTP_ACCEPT="text/html")
    assert "someone@example.org" not in second.content.decode()
    assert "X-Cache" not in second
    assert "ETag" not in second
