"""Throttles: anonymous and token clients have their own limits, and a 429 says when to come back."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from accounts.services import api_token_for


@pytest.fixture
def low_limits(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute", "upload": "1/minute"}
    )


def test_anonymous_clients_get_429_with_retry_after_and_a_clear_message(client_api, low_limits, reference_data):
    for _ in range(3):
        assert client_api.get("/api/v1/metrics/").status_code == 200
    response = client_api.get("/api/v1/metrics/")
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60
    body = response.json()
    assert body["code"] == "throttled"
    assert body["status"] == 429
    assert body["retry_after"] == wait
    assert body["detail"].startswith(f"Too many requests. Try again in {wait} seconds")


def test_a_token_gets_the_higher_authenticated_limit(client_api, low_limits, make_user):
    client_api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(make_user('analyst@example.org'))}")
    statuses = [client_api.get("/api/v1/metrics/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_csv_downloads_count_against_the_same_limit(client_api, low_limits, reference_data):
    for _ in range(3):
        client_api.get("/api/v1/observations/?format=csv")
    response = client_api.get("/api/v1/observations/?format=csv")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Retry-After" in response


def test_uploads_have_their_own_limit_with_the_same_429(client_api, low_limits, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.sources.factories import make_source

    client_api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(make_user('uploader@example.org'))}")
    source = make_source(country="IT")

    def upload(n):
        data = f"date,location,metric,value\n2020-03-01,IT,confirmed,{n}\n".encode()
        return client_api.post(
            "/api/v1/submissions/",
            {"file": SimpleUploadedFile(f"u{n}.csv", data), "source": source.pk},
            format="multipart",
        )

    assert upload(1).status_code == 201
    refused = upload(2)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    assert client_api.get("/api/v1/metrics/").status_code == 200  # reading is not blocked by the upload limit
