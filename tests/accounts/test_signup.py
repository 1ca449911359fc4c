"""Sign-up by email, mandatory verification, onboarding, and login rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User, VolunteerProfile
from places.models import Location

PASSWORD = "a-Long-passphrase-2020"


def sign_up(client, email="new.volunteer@example.org"):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def confirmation_link(mail) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


@pytest.mark.django_db
def test_signup_sends_a_verification_email_and_does_not_sign_in(
    client, mailoutbox, reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.volunteer@example.org"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    # Not signed in until the address is confirmed
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert not EmailAddress.objects.get(email="new.volunteer@example.org").verified


@pytest.mark.django_db
def test_confirming_the_email_leads_to_onboarding_and_the_profile_is_saved(
    client, mailoutbox, reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    link = confirmation_link(mailoutbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:onboarding")
    assert EmailAddress.objects.get(email="new.volunteer@example.org").verified

    onboarding = client.get(reverse("accounts:onboarding"))
    assert b"countries" in onboarding.content.lower()
    italy, germany = Location.objects.get(key="IT"), Location.objects.get(key="DE")
    response = client.post(
        reverse("accounts:onboarding"),
        {
            "display_name": "Giulia",
            "primary_country": italy.pk,
            "other_countries": [germany.pk, italy.pk],
            "skills": ["data_analysis", "official_contact"],
            "organisation": "Università di Bologna",
            "public_listing": "on",
        },
    )
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user__email="new.volunteer@example.org")
    assert profile.is_complete
    assert profile.primary_country == italy
    assert list(profile.other_countries.values_list("key", flat=True)) == ["DE"]  # primary not repeated
    assert profile.skills == ["data_analysis", "official_contact"]
    assert profile.public_listing
    assert profile.user.groups.filter(name="volunteer").exists()
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert "Università di Bologna" in page.content.decode()


@pytest.mark.django_db
def test_onboarding_requires_a_primary_country_and_a_skill(client, make_user):
    user = make_user("someone@example.org", countries=())
    client.force_login(user)
    response = client.post(reverse("accounts:onboarding"), {"display_name": "X"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"primary_country", "skills"}
    assert not VolunteerProfile.objects.get(user=user).is_complete


@pytest.mark.django_db
def test_an_unverified_user_cannot_reach_volunteer_pages(client, reference_data):
    user = User.objects.create_user(username="u", email="unverified@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    # Logging in with the password is refused until the email is confirmed...
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    # ...and a session obtained any other way still cannot reach volunteer pages.
    client.force_login(user)
    for name in ("accounts:onboarding", "accounts:profile"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("account_email")


@pytest.mark.django_db
def test_login_is_blocked_after_the_configured_number_of_failures(client, make_user, settings):
    user = make_user("target@example.org")
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    # Now even the right password is refused for a while
    response = client.post(reverse("account_login"), {"login": user.email, "password": "correct-horse-42"})
    assert "_auth_user_id" not in client.session
    assert "too many failed login attempts" in response.content.decode().lower()


@pytest.mark.django_db
def test_the_right_password_signs_in_a_verified_volunteer(client, make_user):
    user = make_user("ok@example.org")
    response = client.post(reverse("account_login"), {"login": user.email, "password": "correct-horse-42"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, make_user, mailoutbox, django_capture_on_commit_callbacks):
    user = make_user("forgot@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


@pytest.mark.django_db
def test_admin_login_goes_through_the_rate_limited_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_profile_token_is_shown_once_and_rotates(client, make_user):
    from accounts.models import ApiToken
    from accounts.tokens import digest

    user = make_user("api@example.org")
    client.force_login(user)
    client.post(reverse("accounts:rotate_token"))
    first = client.session["new_api_token"]
    assert ApiToken.objects.get(user=user).digest == digest(first)  # only the hash is stored
    assert first in client.get(reverse("accounts:profile")).content.decode()
    assert first not in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:rotate_token"))
    assert ApiToken.objects.get(user=user).digest != digest(first)
