"""In a real browser, in other languages (issue 21): an Arabic visitor gets mirrored pages and switches
to Chinese; a volunteer signs up in Spanish and keeps Spanish from an English browser; an upload report
and a review page in Arabic and Chinese. Screenshots: test-artifacts/lang-*.png.

Expected texts come from the catalogues (`gettext` under `translation.override`), never written here:
the test checks that the page is in the language, not the wording of a translation.
"""

import re

import pytest
from django.utils import translation

from accounts.models import User
from contributions.models import Submission
from places.models import Location
from tests.e2e.signing_in import sign_in_with_second_factor
from tests.sources.factories import SourceFactory

PASSWORD = "correct-horse-42"
ITALY_FILE = "italy_pcm_dpc/dpc-covid19-ita-regioni-20200301.csv"


def translated(language: str, text: str, context: str | None = None) -> str:
    with translation.override(language):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def new_page(browser, language: str, width: int = 1280):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def html_language(page) -> tuple[str, str]:
    return tuple(page.evaluate("[document.documentElement.lang, document.documentElement.dir]"))


def assert_in_language(page, language: str) -> None:
    assert html_language(page) == (language, "rtl" if language == "ar" else "ltr")
    data = translated(language, "Data")
    assert data != "Data" or language == "en", f"no {language} catalogue: run manage.py update_catalogues"
    assert page.locator("#main-nav").get_by_role("link", name=data, exact=True).count() == 1


def switch_language(page, language: str) -> None:
    """The switcher in the header: picking a language reloads the same address in it."""
    address = page.url
    page.select_option("#language-select", language)
    page.wait_for_function(f"document.documentElement.lang === {language!r}")
    page.wait_for_load_state()
    assert page.url == address


@pytest.mark.django_db(transaction=True)
def test_an_arabic_visitor_gets_mirrored_pages_and_switches_to_chinese(
    live_server, browser, screenshot, reference_data
):
    context, page = new_page(browser, "ar")
    page.goto(live_server.url + "/")
    assert_in_language(page, "ar")
    # Mirrored: the site's name at the right, the navigation to its left; charts and maps stay left to right.
    brand, nav = page.locator(".brand").bounding_box(), page.locator("#main-nav").bounding_box()
    assert brand["x"] > 640 > nav["x"]
    directions = page.evaluate(
        "[...document.querySelectorAll('.chart, .map-wrap, .world-map')].map(e => getComputedStyle(e).direction)"
    )
    assert set(directions) <= {"ltr"}
    screenshot(page, "lang-ar-home")

    switch_language(page, "zh-hans")
    assert_in_language(page, "zh-hans")
    assert page.locator(".brand").bounding_box()["x"] < 640
    screenshot(page, "lang-zh-hans-home")
    page.goto(live_server.url + "/about/")  # the choice holds on the next pages, same addresses
    assert_in_language(page, "zh-hans")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_volunteer_signs_up_in_spanish_and_gets_spanish_from_an_english_browser(
    live_server, browser, mailoutbox, reference_data, screenshot
):
    context, page = new_page(browser, "en")
    page.goto(live_server.url + "/")
    assert_in_language(page, "en")
    switch_language(page, "es")
    page.get_by_role("link", name=translated("es", "Volunteer", "sign-up button"), exact=True).click()
    page.fill("input[name=email]", "ana@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("input[name=password2]").press("Enter")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body).group(1)
    page.goto(live_server.url + link)
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/volunteers/welcome/"))
    assert User.objects.get(email="ana@example.org").language == "es"
    assert_in_language(page, "es")
    assert page.input_value("#id_language") == "es"  # the profile shows the language it keeps
    page.select_option("select[name=primary_country]", value=str(Location.objects.get(key="IT").pk))
    page.check("input[name=skills][value=data_analysis]")
    screenshot(page, "lang-es-onboarding")
    page.locator("#id_language").evaluate("select => select.form.requestSubmit()")
    page.wait_for_url(re.compile(r"/my-countries/"))
    context.close()

    # Later, from an English browser: the sign-in page is English, every page after it Spanish.
    context, page = new_page(browser, "en")
    page.goto(live_server.url + "/accounts/login/")
    assert_in_language(page, "en")
    page.fill("input[name=login]", "ana@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/my-countries/"))
    assert_in_language(page, "es")
    page.goto(live_server.url + "/about/")
    assert_in_language(page, "es")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_upload_report_and_a_review_page_in_arabic_and_chinese(
    live_server, browser, make_user, test_data, screenshot
):
    source = SourceFactory(country_key="IT", name="Protezione Civile", url="https://github.com/pcm-dpc/COVID-19")
    uploader = make_user("uploader@example.org", countries=("IT",), password=PASSWORD)
    reviewer = make_user("reviewer@example.org", role="reviewer", countries=("IT",), password=PASSWORD)
    User.objects.filter(pk__in=[uploader.pk, reviewer.pk]).update(language="ar")

    # The uploader signs in from an English browser; their profile says Arabic.
    context, page = new_page(browser, "en")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "uploader@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/my-countries/"))
    page.goto(live_server.url + "/submissions/new/")
    assert_in_language(page, "ar")
    page.select_option("select[name=source]", value=str(source.pk))
    page.set_input_files("input[name=file]", str(test_data / ITALY_FILE))
    page.locator("input[name=file]").evaluate("input => input.form.requestSubmit()")
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    page.wait_for_selector("[data-status=awaiting_review]")
    assert_in_language(page, "ar")
    screenshot(page, "lang-ar-upload-report")
    switch_language(page, "zh-hans")
    assert_in_language(page, "zh-hans")
    screenshot(page, "lang-zh-hans-upload-report")
    assert User.objects.get(pk=uploader.pk).language == "zh-hans"  # the switcher saved it to the profile
    context.close()

    submission = Submission.objects.get()
    context, page = new_page(browser, "en")
    sign_in_with_second_factor(page, live_server, "reviewer@example.org", PASSWORD)
    page.goto(f"{live_server.url}/review/{submission.pk}/")
    assert_in_language(page, "ar")
    page.locator(f"form[action$='/review/{submission.pk}/claim/'] button[type=submit]").click()
    page.wait_for_load_state()
    if page.locator("#diff-charts canvas").count():
        page.wait_for_selector("#diff-charts canvas")
    screenshot(page, "lang-ar-review-page")
    switch_language(page, "zh-hans")
    assert_in_language(page, "zh-hans")
    screenshot(page, "lang-zh-hans-review-page")
    context.close()
