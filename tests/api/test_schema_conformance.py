"""Schemathesis against the live OpenAPI schema: no 5xx, and every response matches the schema.

One live server and one small dataset for all operations; each GET operation (and the upload
POST, with a token) gets a bounded number of generated requests, so the run stays near a minute.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_for
from tests.dataset.api.builders import make_source, publish, series

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 25
UPLOADS = "/api/v1/submissions/"


@pytest.fixture
def live_api(live_server, make_user, monkeypatch):
    """A live server with a small dataset and a staff token; throttles high enough not to interfere."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/hour", "user": "100000/hour", "upload": "100000/hour"}
    )
    source = make_source()
    publish(series("IT", "confirmed", "2020-03-01", [1694, 2036, 2502]), source=source)
    publish(series("IT_25", "deaths", "2020-03-01", [3, 5, 8]), source=source)
    user = make_user("volunteer@example.org", role="volunteer", countries=("IT",))
    return {"url": live_server.url, "headers": {"Authorization": f"Token {api_token_for(user)}"}}


def operations(schema, method):
    for result in schema.include(method=method).get_all_operations():
        yield result.ok()


def exercise(operation, *, base_url, headers):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()


@pytest.mark.django_db(transaction=True)
def test_every_get_endpoint_conforms_to_the_schema(live_api):
    schema = schemathesis.openapi.from_url(live_api["url"] + "/api/schema/?format=json")
    tested, failures = [], []
    for operation in operations(schema, "GET"):
        tested.append(operation.path)
        try:
            exercise(operation, base_url=live_api["url"], headers=live_api["headers"])
        except Exception as error:  # every operation is tried; all failures are reported together
            failures.append(f"GET {operation.path}: {error}")
    assert {"/api/v1/observations/", "/api/v1/locations/{key}/", "/api/v1/releases/"} <= set(tested)
    assert not failures, "\n\n".join(failures)


@pytest.mark.django_db(transaction=True)
def test_upload_post_with_a_token_conforms_to_the_schema(live_api):
    schema = schemathesis.openapi.from_url(live_api["url"] + "/api/schema/?format=json")
    uploads = [op for op in operations(schema, "POST") if op.path == UPLOADS]
    if not uploads:
        pytest.fail(f"POST {UPLOADS} is not in the schema")
    exercise(uploads[0], base_url=live_api["url"], headers=live_api["headers"])


def test_docs_page_loads_its_assets_from_this_site(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
