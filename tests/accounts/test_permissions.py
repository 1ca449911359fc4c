"""One permission vocabulary: the upload page and the upload API apply the same rule (accounts.permissions)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import permissions
from accounts.services import api_token_for
from contributions.models import Submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def test_a_volunteer_without_a_finished_profile_may_not_upload_but_reviewers_may(make_user):
    newcomer = make_user("new@example.org", countries=())
    assert permissions.has_verified_email(newcomer)
    assert permissions.needs_onboarding(newcomer)
    assert not permissions.can_upload(newcomer)
    assert not permissions.can_propose_source(newcomer)
    assert permissions.can_upload(make_user("done@example.org", countries=("IT",)))
    reviewer = make_user("rev@example.org", role="reviewer", countries=())
    reviewer.profile.completed_at = None
    reviewer.profile.save()
    assert permissions.can_upload(reviewer)
    assert not permissions.needs_onboarding(reviewer)


def test_api_upload_without_a_finished_profile_answers_403_telling_to_finish_it(make_user, client):
    newcomer = make_user("new@example.org", countries=())
    source = make_source(country="IT")
    response = _token_client(newcomer).post(
        "/api/v1/submissions/",
        {
            "file": SimpleUploadedFile("italia.csv", b"date,location\n"),
            "source": source.pk,
        },
        format="multipart",
    )
    assert response.status_code == 403
    body = response.json()
    assert body == {"status": 403, "code": "permission_denied", "detail": permissions.FINISH_PROFILE_MESSAGE}
    assert "Finish your volunteer profile" in body["detail"]
    assert not Submission.objects.exists()
    # the page applies the same rule: it sends the newcomer to the onboarding page first
    client.force_login(newcomer)
    page = client.get(reverse("contributions:upload"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:onboarding"))


def test_a_volunteer_without_a_finished_profile_reads_their_submissions_signed_in_but_holds_no_token(make_user):
    newcomer = make_user("new@example.org", countries=())
    signed_in = APIClient()
    signed_in.force_login(newcomer)
    assert signed_in.get("/api/v1/submissions/").status_code == 200  # as on the "My submissions" page
    refused = _token_client(newcomer).get("/api/v1/submissions/")  # tokens: permissions.can_use_api_token
    assert refused.status_code == 403
    assert refused.json()["detail"] == permissions.FINISH_PROFILE_MESSAGE
