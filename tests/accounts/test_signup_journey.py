"""Volunteers join one after another through the real pages: sign up, confirm, onboard, upload."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from contributions.models import Submission
from places.models import Location
from tests.accounts.factories import enter_code
from tests.sources.factories import SourceFactory

PASSWORD = "a-Long-passphrase-2020"
COUNTRIES = ["IT", "DE", "FR", "ES", "PT"]


def sign_up(client, email):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def link_in(mail, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def onboard(client, country: Location):
    return client.post(
        reverse("accounts:onboarding"),
        {
            "display_name": f"Volunteer for {country.name}",
            "primary_country": country.pk,
            "skills": ["data_analysis"],
        },
    )


@pytest.fixture
def sources(reference_data):
    return {
        key: SourceFactory(name=f"Ministry of Health {key}", country_key=key, licence="CC BY 4.0") for key in COUNTRIES
    }


@pytest.mark.django_db
def test_five_volunteers_sign_up_one_after_another_and_each_uploads(
    client, mailoutbox, sources, django_capture_on_commit_callbacks
):
    for number, key in enumerate(COUNTRIES, start=1):
        client.logout()
        email = f"volunteer{number}@example.org"
        with django_capture_on_commit_callbacks(execute=True):
            response = sign_up(client, email)
        assert response.status_code == 302, response.content.decode()[:500]
        assert response["Location"] == reverse("account_email_verification_sent")
        mail = mailoutbox[-1]
        assert mail.to == [email]

        confirm = link_in(mail, "/accounts/confirm-email/")
        response = client.post(confirm)
        assert response["Location"] == reverse("accounts:onboarding")
        country = Location.objects.get(key=key)
        response = onboard(client, country)
        assert response.status_code == 302
        landing = client.get(response["Location"])
        assert landing.status_code == 200
        assert country.name in landing.content.decode()  # the next steps name their country

        with django_capture_on_commit_callbacks(execute=True):
            content = f"date,location,metric,value\n2020-03-01,{country.name},confirmed,{number}\n".encode()
            response = client.post(
                reverse("contributions:upload"),
                {
                    "source": sources[key].pk,
                    "comment": "Official file",
                    "file": SimpleUploadedFile(f"{key}.csv", content),
                },
            )
        assert response.status_code == 302
        submission = Submission.objects.get(submitter__email=email)
        assert submission.status == Submission.Status.AWAITING_REVIEW, str(submission.report)[:3000]

    users = User.objects.filter(email__startswith="volunteer")
    assert users.count() == 5
    assert len({user.username for user in users}) == 5
    assert all(user.username for user in users)
    assert EmailAddress.objects.filter(verified=True, email__startswith="volunteer").count() == 5


@pytest.mark.django_db
def test_signing_up_with_a_known_address_answers_exactly_like_a_new_one(
    client, mailoutbox, make_user, django_capture_on_commit_callbacks
):
    make_user("taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        new = sign_up(client, "fresh@example.org")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        known = sign_up(client, "taken@example.org")
    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    # The owner of the address is told, not the person at the form.
    assert mailoutbox[-1].to == ["taken@example.org"]
    assert "already" in mailoutbox[-1].body.lower()


def assert_names_the_portal(mail):
    html = next(body for body, mimetype in mail.alternatives if mimetype == "text/html")
    for text in (mail.body, html):
        assert settings.SITE_NAME in text
        assert settings.SITE_URL in text
        assert "from !" not in text
        assert "using !" not in text
        assert " on ." not in text
    assert mail.subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX.strip())


@pytest.mark.django_db
def test_every_account_mail_names_the_portal_and_its_address(
    client, mailoutbox, make_user, django_capture_on_commit_callbacks
):
    make_user("known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "new@example.org")  # confirmation
        sign_up(client, "known@example.org")  # account already exists
        client.post(reverse("account_reset_password"), {"email": "known@example.org"})  # reset link
        client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})  # unknown account
    assert len(mailoutbox) == 4
    for mail in mailoutbox:
        assert_names_the_portal(mail)
    reset = link_in(mailoutbox[2], "/accounts/password/reset/key/")
    page = client.get(reset, follow=True)
    assert page.status_code == 200
    assert b"site.css" in page.content  # the portal's layout, not allauth's bare page


@pytest.mark.django_db
def test_account_pages_use_the_portal_layout(client):
    for name in ("account_login", "account_signup", "account_reset_password", "account_email_verification_sent"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        html = page.content.decode()
        assert "site.css" in html
        assert settings.SITE_NAME in html
        assert 'class="button' in html or name == "account_email_verification_sent"


@pytest.mark.django_db
def test_reviewers_and_staff_are_not_sent_through_volunteer_onboarding(client, make_user):
    for role in ("reviewer", "staff"):
        client.logout()
        user = make_user(f"{role}@example.org", role=role, countries=())
        response = client.post(reverse("account_login"), {"login": user.email, "password": "correct-horse-42"})
        assert response["Location"] == reverse("mfa_authenticate")  # their second factor
        assert enter_code(client)["Location"] == reverse("review:queue")
        assert client.get(reverse("contributions:upload")).status_code == 200
        assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_a_volunteer_signing_in_again_lands_on_their_next_steps(client, make_user):
    user = make_user("giulia@example.org", countries=("IT",))
    response = client.post(reverse("account_login"), {"login": user.email, "password": "correct-horse-42"})
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


@pytest.mark.django_db
def test_a_refused_page_is_explained_in_the_portal_layout(client, make_user):
    client.force_login(make_user("giulia@example.org"))
    response = client.get(reverse("review:queue"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "site.css" in html
    assert "Only reviewers can do this." in html
