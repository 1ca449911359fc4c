"""POST /api/v1/sources/ proposes a source for verified volunteers: a proposed Source and a Submission
waiting for review."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.services import api_token_for
from contributions.models import Submission
from sources.models import Source
from tests.sources.factories import make_source

URL = "/api/v1/sources/"

PROPOSAL = {
    "name": "Robert Koch-Institut COVID-19 dashboard",
    "institution": "Robert Koch-Institut",
    "institution_type": "public_health",
    "country": "DE",
    "url": "https://www.rki.de/covid-19",
    "metrics": ["confirmed", "deaths"],
    "licence": "dl-de/by-2-0",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 401), ("volunteer", 201), ("reviewer", 201), ("staff", 201)]
)
def test_create_permissions(api, users, who, expected):
    if users[who]:
        api.force_authenticate(users[who])
    response = api.post(URL, PROPOSAL, format="json")
    assert response.status_code == expected
    assert Source.objects.filter(name=PROPOSAL["name"]).exists() == (expected == 201)


@pytest.mark.django_db
def test_a_proposal_through_the_api_with_a_token_waits_for_review(api, users):
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(users['volunteer'])}")
    response = api.post(URL, PROPOSAL, format="json")

    assert response.status_code == 201
    body = response.json()
    source = Source.objects.get(pk=body["id"])
    assert body["status"] == "proposed"
    assert body["priority"] == 100
    assert body["country"] == "DE"
    assert sorted(body["metrics"]) == ["confirmed", "deaths"]
    assert response["Location"].endswith(f"{URL}{source.pk}/")
    submission = Submission.objects.get(pk=body["submission"]["id"])
    assert (submission.kind, submission.status, submission.source) == ("source", "awaiting_review", source)
    # The proposer can read back their own proposal; other volunteers cannot.
    assert api.get(f"{URL}{source.pk}/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(users['reviewer'])}")
    assert api.get(f"{URL}{source.pk}/").status_code == 200


@pytest.mark.django_db
def test_other_volunteers_cannot_read_someone_elses_proposal(api, users, make_user):
    api.force_authenticate(users["volunteer"])
    source_id = api.post(URL, PROPOSAL, format="json").json()["id"]
    api.force_authenticate(make_user("other@example.org"))
    assert api.get(f"{URL}{source_id}/").status_code == 404
    assert source_id not in {row["id"] for row in api.get(URL).json()["results"]}


@pytest.mark.django_db
def test_a_wrong_token_is_refused(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.post(URL, PROPOSAL, format="json").status_code == 401


@pytest.mark.django_db
def test_an_unverified_user_cannot_propose(api, reference_data):
    user = get_user_model().objects.create_user(username="u", email="u@example.org", password="x-long-password-1")
    api.force_authenticate(user)
    response = api.post(URL, PROPOSAL, format="json")
    assert response.status_code == 403
    assert "verified email" in response.json()["detail"]


@pytest.mark.django_db
def test_a_volunteer_without_a_profile_cannot_propose(api, make_user):
    api.force_authenticate(make_user("new@example.org", countries=()))
    assert api.post(URL, PROPOSAL, format="json").status_code == 403


@pytest.mark.django_db
def test_a_duplicate_url_is_a_conflict_naming_the_existing_source(api, users):
    existing = make_source(url="https://rki.de/covid-19/")
    api.force_authenticate(users["volunteer"])
    response = api.post(URL, {**PROPOSAL, "url": "http://WWW.rki.de/covid-19?utm_medium=email"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["existing"]["id"] == existing.pk
    assert body["existing"]["page"].endswith(existing.get_absolute_url())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "ZZ"}, "country"),
        ({"metrics": ["cases_per_moon"]}, "metrics"),
        ({"url": "not a url"}, "url"),
        ({"institution_type": "astrologer"}, "institution_type"),
        ({"country": None}, "country"),  # a public health institute needs its country
    ],
)
def test_bad_fields_are_named_in_a_400(api, users, change, field):
    api.force_authenticate(users["volunteer"])
    response = api.post(URL, {**PROPOSAL, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body.get("errors", body)
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_the_daily_limit_is_a_429(api, users, settings):
    settings.SOURCE_PROPOSALS_PER_DAY = 1
    api.force_authenticate(users["volunteer"])
    assert api.post(URL, PROPOSAL, format="json").status_code == 201
    response = api.post(URL, {**PROPOSAL, "url": "https://rki.de/other"}, format="json")
    assert response.status_code == 429
    assert "try again tomorrow" in response.json()["detail"]
    assert 86_000 < int(response["Retry-After"]) <= 86_401


@pytest.mark.django_db
def test_a_session_proposal_needs_the_csrf_token(users):
    browser_like = APIClient(enforce_csrf_checks=True)
    browser_like.force_login(users["volunteer"])
    response = browser_like.post(URL, PROPOSAL, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_the_api_follows_the_page_rule_for_who_may_propose(api, make_user):
    """A reviewer needs no volunteer profile (as on the page); a volunteer who has not finished one does."""
    reviewer = make_user("scoped.reviewer@example.org", role="reviewer", countries=())
    api.force_authenticate(reviewer)
    assert api.post(URL, PROPOSAL, format="json").status_code == 201

    newcomer = make_user("newcomer@example.org", countries=())
    api.force_authenticate(newcomer)
    response = api.post(URL, {**PROPOSAL, "url": "https://www.rki.de/other"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
