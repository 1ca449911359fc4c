"""The API's front door: a branded page for people at /api/v1/ (JSON for programs), docs that load
only local files, and operations named in English, grouped by resource."""

import re

import pytest

from portal.api_schema import operation_summary

pytestmark = pytest.mark.django_db


def test_a_browser_gets_the_front_door_and_a_program_the_endpoints(client):
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    html = page.content.decode()
    assert "API</h1>" in html
    assert 'href="/api/redoc/"' in html
    assert 'href="/api/docs/"' in html
    assert "observations/?location=IT,DE&amp;metric=confirmed&amp;format=csv" in html
    endpoints = html.split('data-testid="endpoints"', 1)[1]
    assert "Observations" in endpoints
    assert "http://testserver/api/v1/observations/" in endpoints
    body = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert body["observations"] == "http://testserver/api/v1/observations/"


@pytest.mark.parametrize("url", ["/api/redoc/", "/api/docs/"])
def test_the_docs_load_only_local_files(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "googleapis" not in html
    assert "gstatic" not in html
    for reference in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert reference.startswith("/"), reference
    policy = response["Content-Security-Policy"]
    assert "googleapis" not in policy
    assert "https:" not in policy


def test_operations_read_as_english_and_are_grouped_by_resource(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = {
        (method, path): operation for path, item in schema["paths"].items() for method, operation in item.items()
    }
    assert operations[("get", "/api/v1/observations/")]["summary"] == "List observations"
    assert operations[("get", "/api/v1/observations/")]["tags"] == ["Observations"]
    assert operations[("get", "/api/v1/locations/{key}/")]["summary"] == "Retrieve a location"
    assert operations[("post", "/api/v1/submissions/")]["summary"] == "Create a submission"
    assert operations[("post", "/api/v1/submissions/{id}/approve/")]["summary"] == "Approve a submission"
    assert operations[("post", "/api/v1/submissions/{id}/request-changes/")]["summary"] == (
        "Request changes to a submission"
    )
    names = [tag["name"] for tag in schema["tags"]]
    assert {"Observations", "Locations", "Metrics", "Releases", "Submissions", "Sources"} <= set(names)
    # Caching is still documented on the public reads (their tag changed after it was read).
    assert "ETag" in operations[("get", "/api/v1/observations/")]["responses"]["200"]["headers"]


def test_a_summary_a_view_wrote_is_kept(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    patch = schema["paths"]["/api/v1/submissions/{id}/"]["patch"]
    assert patch["summary"] == "Change the column mapping and check the file again"


def test_paths_outside_the_api_have_no_generated_name():
    assert operation_summary("get", "/api/schema/") is None
    assert operation_summary("get", "/api/v1/review/queue/") == ("List the review queue", "Review")
