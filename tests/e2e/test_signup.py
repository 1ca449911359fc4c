"""In a real browser: a visitor signs up, confirms the email, fills in the onboarding form."""

import re

import pytest

PASSWORD = "a-Long-passphrase-2020"


@pytest.mark.django_db(transaction=True)
def test_sign_up_confirm_and_onboard_in_the_browser(live_server, page, screenshot, mailoutbox, reference_data):
    page.goto(live_server.url + "/")
    screenshot(page, "home")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Every country's official COVID-19 data")

    # The second person to sign up used to get a server error: two join, one after the other.
    for number, (country, organisation) in enumerate(
        [("Italy (IT)", "Open Data Italia"), ("Germany (DE)", "Offene Daten")], start=1
    ):
        if number > 1:
            page.get_by_role("button", name="Sign out").click()
            page.goto(live_server.url + "/")
        page.get_by_role("link", name="Volunteer", exact=True).click()
        page.fill("input[name=email]", f"browser.volunteer{number}@example.org")
        page.fill("input[name=password1]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        if number == 1:
            screenshot(page, "signup")
        page.locator("form button[type=submit]", has_text="Sign Up").click()
        page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

        assert len(mailoutbox) == number
        assert "COVID-19 Open Data" in mailoutbox[-1].body
        link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body).group(1)
        page.goto(live_server.url + link)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(re.compile(r"/volunteers/welcome/"))

        page.select_option("select[name=primary_country]", label=country)
        page.check("input[name=skills][value=data_analysis]")
        page.fill("input[name=organisation]", organisation)
        if number == 1:
            screenshot(page, "onboarding")
        page.get_by_role("button", name="Save my profile").click()
        page.wait_for_url(re.compile(r"/my-countries/"))
        assert "Welcome aboard" in page.content()
        assert page.get_by_role("heading", name=re.compile(country.split(" (")[0])).count() == 1
        screenshot(page, f"next-steps-{number}")
