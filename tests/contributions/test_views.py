"""Pages of contributions on /sources/: proposing a source, and a source's page with its uploads and who may
see them."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from contributions.models import Submission
from sources.models import Source
from tests.sources.factories import make_registry, make_source

PROPOSE_URL = "/sources/propose/"


def proposal_form(**fields):
    data = {
        "name": "Protezione Civile COVID-19",
        "institution": "Dipartimento della Protezione Civile",
        "institution_type": "ministry",
        "country": "IT",
        "url": "https://github.com/pcm-dpc/COVID-19",
        "cadence": "daily",
        "metrics": ["confirmed", "deaths"],
        "licence": "CC BY 4.0",
    }
    data.update(fields)
    return data


# --- proposing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PROPOSE_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_users_with_an_unverified_email_are_sent_to_the_email_page(client, reference_data):
    user = get_user_model().objects.create_user(username="u", email="u@example.org", password="x-long-password-1")
    client.force_login(user)
    response = client.post(PROPOSE_URL, proposal_form())
    assert response.status_code == 302
    assert response.url == reverse("account_email")
    assert not Source.objects.filter(proposed_by=user).exists()


@pytest.mark.django_db
def test_volunteers_who_have_not_finished_onboarding_are_sent_to_onboarding(client, make_user):
    client.force_login(make_user(countries=()))
    response = client.get(PROPOSE_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:onboarding"))


@pytest.mark.django_db
def test_a_volunteer_proposes_a_source_and_lands_on_its_page(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post(PROPOSE_URL, proposal_form(), follow=True)

    source = Source.objects.get(proposed_by=user)
    assert response.redirect_chain[-1][0] == source.get_absolute_url()
    assert source.status == Source.Status.PROPOSED
    assert source.priority == 100
    assert Submission.objects.get(source=source).status == Submission.Status.AWAITING_REVIEW
    page = response.content.decode()
    assert "awaits review" in page
    assert "Priority: 100" in page


@pytest.mark.django_db
def test_a_registered_url_is_refused_with_a_link_to_the_existing_source(client, make_user):
    existing = make_source(url="https://github.com/pcm-dpc/COVID-19", name="Protezione Civile")
    client.force_login(make_user())
    response = client.post(PROPOSE_URL, proposal_form(url="http://www.github.com/pcm-dpc/COVID-19/?utm_source=x"))

    assert response.status_code == 200
    assert f'<a href="{existing.get_absolute_url()}">Protezione Civile</a>' in response.content.decode()
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_a_url_proposed_by_someone_else_is_refused_without_revealing_it(client, make_user):
    make_source(url="https://example.org/hidden", status=Source.Status.PROPOSED)
    client.force_login(make_user())
    response = client.post(PROPOSE_URL, proposal_form(url="https://example.org/hidden/"))
    page = response.content.decode()
    assert "already proposed this URL" in page
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_the_form_starts_with_the_volunteers_own_country(client, make_user):
    client.force_login(make_user(countries=("DE",)))
    form = client.get(PROPOSE_URL).context["form"]
    assert form["country"].value() == "DE"


@pytest.mark.django_db
def test_the_form_explains_default_priorities(client, make_user):
    client.force_login(make_user())
    page = client.get(PROPOSE_URL).content.decode()
    assert "Ministry of health 100" in page
    assert "Aggregator 10" in page


@pytest.mark.django_db
def test_the_proposal_limit_is_a_clear_error(client, make_user, settings):
    settings.SOURCE_PROPOSALS_PER_DAY = 1
    client.force_login(make_user())
    client.post(PROPOSE_URL, proposal_form(url="https://example.org/one"))
    response = client.post(PROPOSE_URL, proposal_form(url="https://example.org/two"))
    assert response.status_code == 429
    assert "try again tomorrow" in response.content.decode()
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_an_ftp_address_is_a_field_error(client, make_user):
    client.force_login(make_user())
    response = client.post(PROPOSE_URL, proposal_form(url="ftp://files.example.org/covid.csv"))
    assert response.status_code == 200
    assert "http:// or https://" in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_an_unknown_region_code_is_a_field_error(client, make_user):
    client.force_login(make_user())
    response = client.post(PROPOSE_URL, proposal_form(institution_type="subnational", subregion="IT-99"))
    assert "We do not know the region" in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_subnational_body_is_registered_with_its_region(client, make_user):
    user = make_user()
    client.force_login(user)
    client.post(PROPOSE_URL, proposal_form(institution_type="subnational", subregion="it-25"))
    source = Source.objects.get(proposed_by=user)
    assert source.subregion.key == "IT_25"
    assert source.priority == 80


@pytest.fixture
def registry(reference_data):
    return make_registry()


# --- a source's page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_approved_source_page_shows_its_details(client, registry):
    source = registry["it"]
    source.licence = "CC BY 4.0"
    source.consecutive_check_failures = 3
    source.last_check_error = "HTTP 404"
    source.save()
    page = client.get(source.get_absolute_url()).content.decode()
    assert "Italy ministry" in page
    assert "CC BY 4.0" in page
    assert source.url in page
    assert "Confirmed cases" in page
    assert "Priority: 100" in page
    assert "Default for its type (ministry of health): 100." in page
    assert "The last 3 checks of this source's page failed (HTTP 404)" in page


@pytest.mark.django_db
def test_a_proposed_source_is_hidden_from_the_public(client, registry, make_user):
    url = registry["proposed"].get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(make_user())
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_proposed_source_is_visible_to_its_proposer_reviewers_and_staff(client, registry, make_user):
    proposer = make_user("p@example.org")
    source = registry["proposed"]
    source.proposed_by = proposer
    source.save()
    for user in (proposer, make_user("rev@example.org", role="reviewer"), make_user("s@example.org", role="staff")):
        client.force_login(user)
        assert client.get(source.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_the_public_sees_upload_counts_but_not_who_uploaded(client, registry, make_user):
    source = registry["it"]
    uploader = make_user("uploader@example.org")
    Submission.objects.create(
        kind="data", submitter=uploader, source=source, status="merged", original_filename="secret-name.csv"
    )
    Submission.objects.create(kind="data", submitter=uploader, source=source, status="awaiting_review")
    page = client.get(source.get_absolute_url()).content.decode()
    assert "2 uploads, 1 merged" in page
    assert "secret-name.csv" not in page
    client.force_login(uploader)
    assert "secret-name.csv" in client.get(source.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_reviewers_see_upload_files_only_inside_their_scope(client, registry, make_user):
    source = registry["it"]
    Submission.objects.create(
        kind="data",
        submitter=make_user("u@example.org"),
        source=source,
        country=source.country,
        status="awaiting_review",
        original_filename="regioni.csv",
    )
    client.force_login(make_user("de-rev@example.org", role="reviewer", countries=("DE",)))
    page = client.get(source.get_absolute_url()).content.decode()
    assert "1 upload, 0 merged" in page
    assert "regioni.csv" not in page
    client.force_login(make_user("it-rev@example.org", role="reviewer", countries=("IT",)))
    assert "regioni.csv" in client.get(source.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_proposal_approved_in_review_becomes_public_with_its_approver(client, make_user):
    from review import services as review

    user = make_user()
    client.force_login(user)
    client.post(PROPOSE_URL, proposal_form())
    source = Source.objects.get(proposed_by=user)
    client.logout()
    assert client.get(source.get_absolute_url()).status_code == 404

    reviewer = make_user("rev@example.org", role="reviewer", countries=("IT",))
    review.approve(submission=Submission.objects.get(source=source), reviewer=reviewer)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "Approved</span>" in page
    assert reviewer.display_name in page
    assert source.name in {s.name for s in client.get("/sources/").context["page"].object_list}
