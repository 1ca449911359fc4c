"""In a real browser at 390 px (a phone): every public page fits the screen's width (wide tables
scroll inside their box), the navigation collapses into a menu that opens; and the downloads page
previews a filtered download. Screenshots of the downloads page at 1280 and 390 px."""

import pytest

from dataset.exports.finishing import finish
from dataset.exports.release import build_release_exports
from tests.dataset.page_data import italy_and_france
from tests.sources.factories import SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    "/",
    "/data/",
    "/data/IT/",
    "/data/IT/confirmed/provenance/",
    "/data/explorer/?places=IT,FR",
    "/data/embed/?places=IT,FR",
    "/data/downloads/",
    "/data/dictionary/",
    "/sources/",
    "/coverage/",
    "/directory/",
    "/help/",
    "/about/",
    "/data-requirements/",
    "/newsletter/",
    "/support/",
    "/support/press/",
    "/api/v1/",
    "/accounts/login/",
    "/accounts/signup/",
]


def _overflow(page) -> list[str]:
    """The page's width beyond the viewport, and the elements that stick out of it (for the message)."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        const out = [];
        for (const el of document.querySelectorAll("body *")) {
            const box = el.getBoundingClientRect();
            if (box.right > width + 1 && getComputedStyle(el).position !== "fixed") {
                const name = el.tagName + (el.id ? "#" + el.id : "") + "." + el.className;
                out.push(name + " right=" + Math.round(box.right));
            }
        }
        return out.slice(0, 8);
    }"""
    )


def test_every_public_page_fits_a_phone(live_server, browser, reference_data):
    italy_and_france()
    SourceFactory(name="Ministero della Salute", url="https://www.salute.gov.it/very/long/path/to/data.csv")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(20_000)
    too_wide, heights = {}, {}
    for url in PUBLIC_PAGES:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        page.wait_for_timeout(300)  # charts and maps draw after the load
        heights[url] = page.evaluate("document.documentElement.scrollHeight")
        sticking_out = _overflow(page)
        if sticking_out:
            too_wide[url] = sticking_out
    context.close()
    assert too_wide == {}
    assert heights["/coverage/"] < 8000  # its table of every country scrolls in its own box on a phone


def test_the_navigation_collapses_into_a_menu_on_a_phone(live_server, browser, reference_data):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/about/")
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible()
    assert not page.locator("#main-nav").is_visible()
    menu.click()
    assert page.locator("#main-nav").is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Explorer").click()
    page.wait_for_url("**/data/explorer/**")
    context.close()


def test_the_downloads_page_previews_a_filtered_download(live_server, page, screenshot, reference_data):
    _, release = italy_and_france()
    build_release_exports(release=release)
    finish(release)
    page.goto(live_server.url + "/data/downloads/")
    files = page.locator("main table").first.inner_text()
    assert "covid19-open-data.csv.gz" in files
    assert "covid19-open-data.parquet" in files
    page.fill("#filtered-search", "Fran")
    page.locator(".place-results button", has_text="France (FR)").click()
    page.fill("#filtered-places", page.input_value("#filtered-places") + ",IT")
    assert page.input_value("#filtered-places") == "FR,IT"
    page.click("#filtered-preview")
    preview = page.locator('#filtered-preview-box table[data-testid="preview"]')
    preview.wait_for()
    rows = preview.locator("tbody tr").all_inner_texts()
    assert len(rows) == 10
    assert all("\tconfirmed\t" in row for row in rows)
    assert {row.split("\t")[1] for row in rows} <= {"FR", "IT"}
    assert "the download has more" in page.locator("#filtered-preview-box").inner_text()
    screenshot(page, "downloads-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/data/downloads/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "downloads-390")
