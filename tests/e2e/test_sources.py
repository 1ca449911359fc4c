"""In a real browser: a volunteer finds a source in the registry, is refused a duplicate, proposes a new one."""

import re

import pytest
from django.core.management import call_command

from sources.models import Source

PASSWORD = "correct-horse-42"


@pytest.mark.django_db(transaction=True)
def test_volunteer_filters_the_registry_and_proposes_a_source(live_server, page, screenshot, make_user):
    call_command("seed_sources")
    make_user("browser.volunteer@example.org", countries=("IT",))

    page.goto(live_server.url + "/sources/")
    page.select_option("select[name=country]", label="United States")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("tbody tr").count() == 1
    assert "US CDC COVID-19" in page.locator("tbody").inner_text()
    screenshot(page, "sources-list")

    page.goto(live_server.url + "/accounts/login/?next=/sources/propose/")
    page.fill("input[name=login]", "browser.volunteer@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/sources/propose/$"))

    page.fill("input[name=name]", "Protezione Civile COVID-19 data")
    page.fill("input[name=institution]", "Dipartimento della Protezione Civile")
    page.select_option("select[name=institution_type]", "ministry")
    page.fill("input[name=url]", "http://www.github.com/CSSEGISandData/COVID-19/?utm_source=twitter")
    page.check("input[name=metrics][value=confirmed]")
    page.get_by_role("button", name="Propose this source").click()
    refusal = page.get_by_role("alert").filter(has_text="already registered")
    assert refusal.get_by_role("link", name="JHU CSSE COVID-19 Data").count() == 1
    screenshot(page, "sources-duplicate")

    page.fill("input[name=url]", "https://github.com/pcm-dpc/COVID-19")
    page.fill("input[name=licence]", "CC BY 4.0")
    page.get_by_role("button", name="Propose this source").click()
    page.wait_for_url(re.compile(r"/sources/\d+/$"))
    assert "awaits review" in page.content()
    assert page.get_by_role("heading", name="Priority: 100").count() == 1
    screenshot(page, "sources-proposed")
    source = Source.objects.get(name="Protezione Civile COVID-19 data")
    assert source.status == Source.Status.PROPOSED
    assert source.country.key == "IT"
