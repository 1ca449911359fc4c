"""A duplicate-URL answer names the existing source only to someone who may see it (page, upload form, API)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from places.models import Location
from sources.models import Source
from tests.sources.factories import make_source

HIDDEN_URL = "https://example.org/secret-feed"
SECRET_NAME = "Secret pending feed"


@pytest.fixture
def hidden(make_user):
    owner = make_user("owner@example.org")
    return make_source(url=HIDDEN_URL, name=SECRET_NAME, status=Source.Status.PROPOSED, proposed_by=owner)


def refused_without_naming(text: str, source: Source) -> None:
    assert "Someone has already proposed this URL" in text
    assert SECRET_NAME not in text
    assert "(proposed)" not in text
    assert f"source={source.pk}" not in text
    assert f"/sources/{source.pk}/" not in text


@pytest.mark.django_db
def test_the_upload_form_does_not_name_someone_elses_hidden_proposal(client, make_user, hidden):
    client.force_login(make_user("other@example.org"))
    response = client.post(
        reverse("contributions:upload"),
        {
            "new_source_name": "Mine",
            "new_source_type": "ministry",
            "new_source_url": HIDDEN_URL + "/",
            "new_source_country": Location.objects.get(key="IT").pk,
            "file": SimpleUploadedFile("a.csv", b"date,location,metric,value\n2020-03-01,Italy,deaths,1\n"),
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("new_source_url", []))
    refused_without_naming(errors, hidden)
    assert SECRET_NAME not in response.content.decode()


@pytest.mark.django_db
def test_the_upload_form_names_a_public_source_with_a_link(client, make_user):
    public = make_source(url="https://example.org/open-feed", name="Open feed")
    client.force_login(make_user("other@example.org"))
    response = client.post(
        reverse("contributions:upload"),
        {
            "new_source_name": "Mine",
            "new_source_type": "ministry",
            "new_source_url": "https://example.org/open-feed",
            "new_source_country": Location.objects.get(key="IT").pk,
            "file": SimpleUploadedFile("a.csv", b"date,location,metric,value\n2020-03-01,Italy,deaths,1\n"),
        },
    )
    page = response.content.decode()
    assert "Open feed" in page
    assert f"?source={public.pk}" in page


@pytest.mark.django_db
def test_the_propose_page_does_not_name_it(client, make_user, hidden):
    client.force_login(make_user("other@example.org"))
    response = client.post(
        "/sources/propose/",
        {
            "name": "Mine",
            "institution": "Somebody",
            "institution_type": "ministry",
            "country": "IT",
            "url": HIDDEN_URL,
            "cadence": "daily",
            "metrics": ["deaths"],
            "licence": "CC BY 4.0",
        },
    )
    errors = " ".join(response.context["form"].errors.get("url", []))
    refused_without_naming(errors, hidden)


@pytest.mark.django_db
def test_the_api_conflict_does_not_name_it(api, make_user, hidden):
    api.force_authenticate(make_user("other@example.org"))
    body = {
        "name": "Mine",
        "institution": "Somebody",
        "institution_type": "ministry",
        "country": "IT",
        "url": HIDDEN_URL,
        "metrics": ["deaths"],
        "licence": "CC BY 4.0",
    }
    response = api.post("/api/v1/sources/", body, format="json")
    assert response.status_code == 409
    answer = response.json()
    assert answer["code"] == "duplicate_source"
    assert "existing" not in answer
    refused_without_naming(answer["detail"], hidden)


@pytest.mark.django_db
def test_the_proposer_and_reviewers_still_see_which_source_it_is(api, make_user, hidden):
    api.force_authenticate(hidden.proposed_by)
    body = {"name": "Again", "institution": "X", "institution_type": "ministry", "country": "IT", "url": HIDDEN_URL}
    answer = api.post("/api/v1/sources/", {**body, "metrics": ["deaths"], "licence": "x"}, format="json").json()
    assert answer["existing"]["id"] == hidden.pk
    assert answer["existing"]["name"] == SECRET_NAME
