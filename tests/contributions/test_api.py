"""The submissions API: POST a file with a token, follow it, and see only what you may see."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import api_token_for
from contributions.models import Submission
from sources.models import Source
from tests.sources.factories import SourceFactory

from .test_uploads import LONG_CSV


@pytest.fixture
def italy_source(reference_data):
    return SourceFactory(
        name="Protezione Civile",
        institution="Dipartimento della Protezione Civile",
        url="https://github.com/pcm-dpc/COVID-19",
    )


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def post_file(client, source, content=LONG_CSV, **extra):
    return client.post(
        "/api/v1/submissions/",
        {
            "file": SimpleUploadedFile("italia.csv", content),
            "source": source.pk,
            **extra,
        },
        format="multipart",
    )


@pytest.mark.django_db
def test_post_with_a_token_returns_201_with_id_and_url(make_user, italy_source, django_capture_on_commit_callbacks):
    client = token_client(make_user("api@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, italy_source, mapping='{"layout": "long"}')
    assert response.status_code == 201, response.content
    body = response.json()
    submission = Submission.objects.get(pk=body["id"])
    assert body["url"].endswith(submission.get_absolute_url())
    assert response["Location"] == body["url"]
    assert submission.mapping == {"layout": "long"}
    detail = client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert detail["status"] == "awaiting_review", detail["report"]
    assert detail["diff"]["counts"]["new"] == 4
    assert detail["row_count"] == 4


@pytest.mark.django_db
def test_anonymous_cannot_upload(italy_source):
    response = post_file(APIClient(), italy_source)
    assert response.status_code in (401, 403)
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_mapping_must_be_a_json_object(make_user, italy_source):
    response = post_file(token_client(make_user("api@example.org")), italy_source, mapping="[1, 2]")
    assert response.status_code == 400
    assert "mapping" in response.json()


@pytest.mark.django_db
def test_a_source_that_is_not_approved_is_refused(make_user, italy_source):
    italy_source.status = Source.Status.REJECTED
    italy_source.save()
    response = post_file(token_client(make_user("api@example.org")), italy_source)
    assert response.status_code == 400
    assert "source" in response.json()


@pytest.mark.django_db
def test_volunteers_see_only_their_own_and_reviewers_their_scope(make_user, italy_source):
    alice, bob = make_user("alice@example.org"), make_user("bob@example.org")
    post_file(token_client(alice), italy_source)
    ids = lambda user: {s["id"] for s in token_client(user).get("/api/v1/submissions/").json()["results"]}  # noqa: E731
    submission = Submission.objects.get()
    assert ids(alice) == {submission.pk}
    assert ids(bob) == set()
    assert token_client(bob).get(f"/api/v1/submissions/{submission.pk}/").status_code == 404
    assert ids(make_user("rev.it@example.org", role="reviewer", countries=("IT",))) == {submission.pk}
    assert ids(make_user("rev.fr@example.org", role="reviewer", countries=("FR",))) == set()
    assert ids(make_user("staff@example.org", role="staff", countries=())) == {submission.pk}


@pytest.mark.django_db
def test_uploads_are_throttled_with_retry_after(make_user, italy_source, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"upload": "2/hour"})
    client = token_client(make_user("busy@example.org"))
    assert [post_file(client, italy_source).status_code for _ in range(2)] == [201, 201]
    response = post_file(client, italy_source)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Submission.objects.count() == 2
