"""In a real browser: a reviewer without a second factor is sent to set one up (an authenticator app,
by QR code or secret), confirms a code, keeps their recovery codes, and later signs in with a code."""

import re

import pytest

from accounts.permissions import has_second_factor
from tests.accounts.factories import fresh_totp_code

PASSWORD = "a-Long-passphrase-2020"
EMAIL = "new.reviewer@example.org"


def sign_in(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_sets_up_an_authenticator_app_then_signs_in_with_a_code(live_server, page, screenshot, make_user):
    reviewer = make_user(EMAIL, role="reviewer", countries=("IT",), password=PASSWORD, second_factor=False)

    # Signing in sends them to the set-up, which asks for the password once more.
    sign_in(page, live_server)
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    assert "Set up two-factor authentication first" in page.content()
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()  # the QR code
    assert page.locator("link[href$='site.css']").count() == 1  # in the portal's layout
    secret = page.locator("#authenticator_secret").input_value()  # or typed into the app by hand
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    screenshot(page, "second-factor-1-set-up")

    # A wrong code is refused; the app's code activates it and shows the recovery codes.
    page.fill("input[name=code]", "000000" if fresh_totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activate").click()
    assert "Incorrect code" in page.content()
    assert not has_second_factor(reviewer)
    page.fill("input[name=code]", fresh_totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert re.search(r"\b\d{8}\b", page.content())  # the recovery codes
    screenshot(page, "second-factor-2-recovery-codes")
    assert has_second_factor(reviewer)
    page.goto(live_server.url + "/review/")
    assert page.get_by_role("heading", level=1).inner_text().strip() != ""
    assert "/review/" in page.url

    # Later: the password, then the code from the app.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    assert page.locator("link[href$='site.css']").count() == 1
    screenshot(page, "second-factor-3-code")
    page.fill("input[name=code]", fresh_totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/review/$"))
    assert "Review queue" in page.content()
