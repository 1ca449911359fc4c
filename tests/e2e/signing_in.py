"""Signing in through the pages, as a person with a second factor (every reviewer has one)."""

import re

from tests.accounts.factories import PASSWORD, TOTP_SECRET, fresh_totp_code


def sign_in_with_second_factor(page, live_server, email, password=PASSWORD):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", fresh_totp_code(TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
