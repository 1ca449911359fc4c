"""PATCH /api/v1/submissions/{id}/ with a column mapping: the submitter re-maps an upload and it is
checked again, as on the mapping page; the mapping's keys are checked as on upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import api_token_for
from contributions import services
from contributions.models import Submission
from tests.sources.factories import SourceFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status

FILE = b"when,area,alpha\n2020-03-01,Lombardia,10\n2020-03-02,Lombardia,12\n"
MAPPING = {"layout": "wide_metric", "date_column": "when", "location_columns": ["area"], "metrics": {"alpha": "deaths"}}


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


@pytest.fixture
def volunteer(make_user):
    return make_user("giulia@example.org", countries=("IT",))


@pytest.fixture
def needs_mapping(volunteer, django_capture_on_commit_callbacks):
    """An upload whose columns no dictionary knows: it waits for a mapping."""
    source = SourceFactory(country_key="IT")
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.create_upload(
            submitter=volunteer, source=source, uploaded=SimpleUploadedFile("bulletin.csv", FILE)
        )
    submission.refresh_from_db()
    assert submission.status == Status.NEEDS_MAPPING
    return submission


def patch(client, submission, body, **extra):
    return client.patch(f"/api/v1/submissions/{submission.pk}/", body, format="json", **extra)


def test_the_submitter_sets_the_mapping_and_the_file_is_checked_again(
    volunteer, needs_mapping, django_capture_on_commit_callbacks
):
    client = token_client(volunteer)
    with django_capture_on_commit_callbacks() as queued:
        response = patch(client, needs_mapping, {"mapping": MAPPING})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "validating"
    assert body["mapping"] == MAPPING
    assert body["version"] == needs_mapping.version + 1
    for callback in queued:  # the worker runs the validation
        callback()
    detail = client.get(f"/api/v1/submissions/{needs_mapping.pk}/").json()
    assert detail["status"] == "awaiting_review", detail["report"]["problems"]
    assert detail["row_count"] == 2
    assert detail["report"]["mapping"]["metrics"] == {"alpha": "deaths"}


def test_a_mapping_sent_as_json_text_in_a_form_works_too(volunteer, needs_mapping):
    import json

    response = token_client(volunteer).patch(
        f"/api/v1/submissions/{needs_mapping.pk}/", {"mapping": json.dumps(MAPPING)}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert Submission.objects.get(pk=needs_mapping.pk).mapping == MAPPING


def test_unknown_mapping_keys_are_refused_and_nothing_changes(volunteer, needs_mapping):
    response = patch(token_client(volunteer), needs_mapping, {"mapping": {**MAPPING, "date_colum": "when"}})
    assert response.status_code == 400
    assert "Unknown mapping keys: date_colum" in response.json()["mapping"][0]
    unchanged = Submission.objects.get(pk=needs_mapping.pk)
    assert (unchanged.status, unchanged.version, unchanged.mapping) == (Status.NEEDS_MAPPING, 1, {})


@pytest.mark.parametrize("body", [{}, {"mapping": [1, 2]}, {"mapping": "not json"}])
def test_a_mapping_that_is_missing_or_not_an_object_is_a_400(volunteer, needs_mapping, body):
    response = patch(token_client(volunteer), needs_mapping, body)
    assert response.status_code == 400
    assert "mapping" in response.json()["errors"]


def test_an_upload_with_unknown_mapping_keys_is_refused_too(volunteer):
    response = token_client(volunteer).post(
        "/api/v1/submissions/",
        {
            "file": SimpleUploadedFile("bulletin.csv", FILE),
            "source": SourceFactory(country_key="IT").pk,
            "mapping": '{"metrix": {"alpha": "deaths"}}',
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "Unknown mapping keys: metrix" in response.json()["mapping"][0]
    assert not Submission.objects.exists()


def test_null_and_use_recipe_are_accepted(volunteer, needs_mapping):
    response = patch(
        token_client(volunteer), needs_mapping, {"mapping": {**MAPPING, "date_format": None, "use_recipe": False}}
    )
    assert response.status_code == 200, response.content


def test_only_the_submitter_may_change_the_mapping(make_user, needs_mapping):
    outsider = make_user("other@example.org", countries=("IT",))
    reviewer = make_user("rev@example.org", role="reviewer", countries=("IT",))
    staff = make_user("staff@example.org", role="staff")
    assert patch(APIClient(), needs_mapping, {"mapping": MAPPING}).status_code == 401
    assert patch(token_client(outsider), needs_mapping, {"mapping": MAPPING}).status_code == 404
    for user in (reviewer, staff):  # they may see it, not change it
        response = patch(token_client(user), needs_mapping, {"mapping": MAPPING})
        assert response.status_code == 403, response.content
        assert "submitter" in response.json()["detail"]
    assert Submission.objects.get(pk=needs_mapping.pk).version == 1


@pytest.mark.parametrize("status", [Status.VALIDATING, Status.APPROVED, Status.MERGED, Status.WITHDRAWN])
def test_a_submission_being_checked_or_decided_cannot_be_changed(volunteer, needs_mapping, status):
    Submission.objects.filter(pk=needs_mapping.pk).update(status=status)
    response = patch(token_client(volunteer), needs_mapping, {"mapping": MAPPING})
    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"
    assert Submission.objects.get(pk=needs_mapping.pk).mapping == {}


def test_put_is_not_offered(volunteer, needs_mapping):
    response = token_client(volunteer).put(
        f"/api/v1/submissions/{needs_mapping.pk}/", {"mapping": MAPPING}, format="json"
    )
    assert response.status_code == 405


def test_the_schema_describes_the_patch(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/submissions/{id}/"]["patch"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["mapping"]
    assert body["properties"]["mapping"]["type"] == "object"
    assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    assert "put" not in schema["paths"]["/api/v1/submissions/{id}/"]
