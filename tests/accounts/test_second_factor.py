"""Two factors for the people who can change the data: reviewers and staff set up an authenticator app
(TOTP, with recovery codes) before they review, through the pages or the API, or use the admin."""

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.permissions import SECOND_FACTOR_MESSAGE, can_moderate, has_second_factor, needs_second_factor
from accounts.second_factor import activate_totp, recovery_codes, totp_code
from review import services
from tests.accounts.factories import PASSWORD, TOTP_SECRET, enter_code
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

SETUP_PAGE = "/accounts/2fa/totp/activate/"


def reauthenticate(client):
    """allauth asks for the password again before a second factor is added or removed."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


@pytest.fixture
def bare_reviewer(make_user):
    """A reviewer who has not set up a second factor yet."""
    return make_user("bare.reviewer@example.org", role="reviewer", countries=("IT",), second_factor=False)


@pytest.fixture
def bare_staff(make_user):
    return make_user("bare.staff@example.org", role="staff", countries=(), second_factor=False)


@pytest.fixture
def italian_submission(make_user):
    return make_submission(
        submitter=make_user("giulia@example.org"),
        source=make_source(country="IT"),
        frame=frame_for(["IT_21"], ["confirmed"], ["2020-03-01", "2020-03-02"]),
    )


@pytest.mark.django_db
def test_the_rule_is_for_reviewers_and_staff_only(make_user, bare_reviewer, bare_staff):
    volunteer = make_user("vol@example.org")
    reviewer = make_user("rev@example.org", role="reviewer")
    assert not needs_second_factor(volunteer)
    assert not needs_second_factor(None)
    assert needs_second_factor(bare_reviewer)
    assert needs_second_factor(bare_staff)
    assert has_second_factor(reviewer)
    assert not needs_second_factor(reviewer)
    assert can_moderate(reviewer)
    assert not can_moderate(bare_reviewer)
    assert not can_moderate(bare_staff)
    activate_totp(bare_reviewer)
    assert can_moderate(bare_reviewer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method"), [("review:queue", "get"), ("review:detail", "get"), ("review:claim", "post")]
)
def test_review_pages_send_a_reviewer_without_one_to_set_it_up(client, bare_reviewer, italian_submission, name, method):
    client.force_login(bare_reviewer)
    args = [] if name == "review:queue" else [italian_submission.pk]
    response = getattr(client, method)(reverse(name, args=args), follow=True)
    assert response.redirect_chain[0][0] == SETUP_PAGE  # which asks for their password again first
    assert SECOND_FACTOR_MESSAGE in response.content.decode()
    italian_submission.refresh_from_db()
    assert italian_submission.claimed_by_id is None


@pytest.mark.django_db
def test_services_refuse_too(bare_reviewer, italian_submission):
    with pytest.raises(services.ReviewError, match="two-factor"):
        services.claim(submission=italian_submission, reviewer=bare_reviewer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/review/queue/"), ("post", "/api/v1/submissions/{pk}/approve/")],
)
def test_the_review_api_refuses_with_the_error_envelope(api, bare_reviewer, italian_submission, method, path):
    api.force_authenticate(bare_reviewer)
    response = getattr(api, method)(path.format(pk=italian_submission.pk), {}, format="json")
    assert response.status_code == 403
    body = response.json()
    assert body["status"] == 403
    assert body["code"] == "second_factor_required"
    assert SETUP_PAGE in body["detail"]
    italian_submission.refresh_from_db()
    assert italian_submission.status != "approved"


@pytest.mark.django_db
def test_the_admin_sends_staff_without_one_to_set_it_up(client, bare_staff, make_user):
    client.force_login(bare_staff)
    for path in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == SETUP_PAGE
    activate_totp(bare_staff)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_the_admin_lists_second_factors_without_their_secrets(client, make_user):
    staff = make_user("staff@example.org", role="staff", countries=())
    client.force_login(staff)
    page = client.get(reverse("admin:mfa_authenticator_changelist")).content.decode()
    assert staff.email in page
    detail = client.get(reverse("admin:mfa_authenticator_change", args=[staff.authenticator_set.first().pk]))
    assert TOTP_SECRET not in detail.content.decode()


@pytest.mark.django_db
def test_a_reviewer_sets_it_up_at_first_sign_in_then_signs_in_with_a_code(client, bare_reviewer):
    response = client.post(reverse("account_login"), {"login": bare_reviewer.email, "password": PASSWORD}, follow=True)
    assert [url for url, _ in response.redirect_chain] == [
        reverse("review:queue"),
        SETUP_PAGE,
        f"{reverse('account_reauthenticate')}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
    ]
    assert SECOND_FACTOR_MESSAGE in response.content.decode()
    reauthenticate(client)
    page = client.get(SETUP_PAGE).content.decode()
    assert "site.css" in page  # the portal's layout
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code
    secret = client.session["mfa.totp.secret"]
    assert secret in page  # also shown as text, to type into the app
    response = client.post(SETUP_PAGE, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert not Authenticator.objects.filter(user=bare_reviewer).exists()
    response = client.post(SETUP_PAGE, {"code": totp_code(secret)}, follow=True)
    assert has_second_factor(bare_reviewer)
    codes = recovery_codes(bare_reviewer)
    assert len(codes) == 10
    assert codes[0] in response.content.decode()  # shown once set up
    assert client.get(reverse("review:queue")).status_code == 200

    client.logout()
    response = client.post(reverse("account_login"), {"login": bare_reviewer.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("review:queue")).status_code == 302  # not signed in until the code
    assert "site.css" in client.get(reverse("mfa_authenticate")).content.decode()
    assert enter_code(client, secret)["Location"] == reverse("review:queue")
    assert client.get(reverse("review:queue")).status_code == 200


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(client, make_user):
    reviewer = make_user("rev@example.org", role="reviewer")
    code = recovery_codes(reviewer)[0]
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == reverse("review:queue")
    client.logout()
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200  # refused, form again
    assert code not in recovery_codes(reviewer)


@pytest.mark.django_db
def test_reviewers_cannot_switch_it_off_volunteers_can(client, make_user):
    reviewer = make_user("rev@example.org", role="reviewer")
    client.force_login(reviewer)
    reauthenticate(client)
    page = client.post(reverse("mfa_deactivate_totp"), follow=True).content.decode()
    assert "Reviewers and staff keep their authenticator app" in page
    assert has_second_factor(reviewer)
    volunteer = make_user("vol@example.org", second_factor=True)
    client.force_login(volunteer)
    reauthenticate(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert not has_second_factor(volunteer)


@pytest.mark.django_db
def test_volunteers_may_opt_in_from_their_profile(client, make_user):
    volunteer = make_user("vol@example.org")
    client.force_login(volunteer)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{reverse("mfa_index")}"' in page
    assert "optional" in page
    assert client.get(reverse("contributions:upload")).status_code == 200  # nothing asked of them
    index = client.get(reverse("mfa_index")).content.decode()
    assert "site.css" in index
    assert SETUP_PAGE in index


def add_user(*args):
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_add_user_sets_up_an_authenticator_with_the_given_secret(reference_data):
    out = add_user(
        "rev@example.org", "--password", "pw-123456-long", "--role", "reviewer", "--totp-secret", TOTP_SECRET
    )
    user = Authenticator.objects.get(type=Authenticator.Type.TOTP).user
    assert user.email == "rev@example.org"
    assert can_moderate(user)
    assert TOTP_SECRET in out
    assert len(recovery_codes(user)) == 10
    # Running again with --mfa replaces it with a new secret, printed
    out = add_user("rev@example.org", "--password", "pw-123456-long", "--role", "reviewer", "--mfa", "--token")
    secret = re.search(r"secret[^:]*: ([A-Z2-7]+)", out).group(1)
    assert secret != TOTP_SECRET
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1
    assert len(out.strip().splitlines()[-1]) == 40  # the token is still the last line


@pytest.mark.django_db
def test_add_user_refuses_a_secret_that_is_not_base32(reference_data):
    with pytest.raises(CommandError, match="base32"):
        add_user(
            "rev@example.org", "--password", "pw-123456-long", "--role", "reviewer", "--totp-secret", "not-1-secret"
        )


@pytest.mark.django_db
def test_totp_code_matches_rfc_6238():
    # RFC 6238 appendix B, SHA-1: the secret "12345678901234567890", time 59 -> 94287082 (6 digits: 287082)
    assert totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59) == "287082"
    assert totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=1111111109) == "081804"


@pytest.mark.django_db
def test_the_demo_reviewer_and_staff_sign_in_with_the_printed_secret(client, reference_data):
    from dataset.management.commands.setup_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    out = StringIO()
    call_command("setup_demo", "--skip-import", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue()
    assert not Authenticator.objects.filter(user__email="volunteer@example.org").exists()
    for email in ("reviewer@example.org", "staff@example.org"):
        client.logout()
        response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
        assert response["Location"] == reverse("mfa_authenticate")
        printed = StringIO()
        call_command("totp_code", DEMO_TOTP_SECRET, stdout=printed)
        assert printed.getvalue().strip() == totp_code(DEMO_TOTP_SECRET)
        assert enter_code(client, DEMO_TOTP_SECRET)["Location"] == reverse("review:queue")
        assert client.get(reverse("review:queue")).status_code == 200
