"""In a real browser: a visitor signs up, confirms the email, fills in the onboarding form."""
import re

import pytest

PASSWORD = "a-Long-passphrase-2020"


@pytest.mark.django_db(transaction=True)
def test_sign_up_confirm_and_onboard_in_the_browser(live_server, page, screenshot, mailoutbox, reference_data):
    page.goto(live_server.url + "/")
    screenshot(page, "home")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Every country's official COVID-19 data")

    page.get_by_role("link", name="Volunteer", exact=True).click()
    page.fill("input[name=email]", "browser.volunteer@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form button[type=submit]", has_text="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[0].body).group(1)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/volunteers/welcome/"))

    page.select_option("select[name=primary_country]", label="Italy (IT)")
    page.check("input[name=skills][value=data_analysis]")
    page.fill("input[name=organisation]", "Open Data Italia")
    screenshot(page, "onboarding")
    page.get_by_role("button", name="Save my profile").click()
    page.wait_for_url(re.compile(r"/volunteers/profile/"))
    assert "Welcome aboard" in page.content()
    assert page.locator("select[name=primary_country]").input_value()
    screenshot(page, "profile")
