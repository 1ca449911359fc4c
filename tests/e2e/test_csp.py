"""In a real browser with the Content-Security-Policy on: the main pages load, draw and submit, and the
console reports no violation (charts, the coverage map, a form sent by data-autosubmit, an upload whose
progress the page polls)."""

import re

import pytest

from contributions.models import Submission
from tests.dataset.page_data import add_series, make_release, make_source
from tests.sources.factories import SourceFactory

PASSWORD = "correct-horse-42"
WATCH = """
document.addEventListener("securitypolicyviolation", e => {
  (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + " " + e.blockedURI);
});
"""


class Violations:
    """CSP reports from the console and from securitypolicyviolation events, page by page."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.context.add_init_script(WATCH)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str):
        response = self.page.goto(url)
        assert response is not None
        assert "script-src 'self'" in (response.header_value("content-security-policy") or ""), url
        return response

    def check(self, where: str) -> None:
        events = self.page.evaluate("window.__cspViolations || []")
        assert (self.console, events, self.errors) == ([], [], []), where


@pytest.mark.django_db(transaction=True)
def test_main_pages_work_with_the_policy_and_report_no_violation(live_server, page, screenshot, make_user, test_data):
    source = make_source()
    release = make_release(description="CSP check")
    values = [float(v * v) for v in range(1, 40)]
    add_series("IT", "confirmed", values, source=source, release=release)
    add_series("IT", "deaths", [v / 10 for v in values], source=source, release=release)
    make_user("uploader@example.org", countries=("IT",), password=PASSWORD)
    watch = Violations(page)
    base = live_server.url

    for path in ("/", "/about/", "/data/", "/sources/", "/support/", "/api/docs/"):
        watch.visit(base + path)
        watch.check(path)

    watch.visit(base + "/data/IT/")
    page.wait_for_selector('.chart[data-chart="confirmed"][data-view="total"].chart-drawn canvas')
    over = page.locator('.chart[data-chart="confirmed"][data-view="total"] .u-over')
    box = over.bounding_box()
    over.hover(position={"x": box["width"] * 0.6, "y": box["height"] / 2})
    tooltip = page.locator('.chart[data-chart="confirmed"][data-view="total"] .chart-tooltip')
    tooltip.wait_for(state="visible")
    assert "Total:" in tooltip.inner_text()
    swatch = tooltip.locator(".swatch").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert swatch not in ("", "rgba(0, 0, 0, 0)")  # the colour set through CSSOM is applied
    watch.check("/data/IT/")

    watch.visit(base + "/coverage/")
    page.wait_for_selector("#coverage-map[data-ready='1']")
    assert page.locator("#coverage-map path[data-status]").count() > 100
    screenshot(page, "csp-coverage")
    watch.check("/coverage/")

    watch.visit(base + "/accounts/login/")
    page.fill("input[name=login]", "uploader@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/my-countries/"))
    watch.check("sign-in")

    italy = SourceFactory(country_key="IT", name="Protezione Civile", url="https://github.com/pcm-dpc/COVID-19")
    watch.visit(base + "/submissions/new/")
    page.select_option("select[name=source]", value=str(italy.pk))
    page.set_input_files("input[name=file]", str(test_data / "italy_pcm_dpc" / "dpc-covid19-ita-regioni-20200301.csv"))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    page.wait_for_selector("[data-status=awaiting_review]")
    assert Submission.objects.get().status == Submission.Status.AWAITING_REVIEW
    screenshot(page, "csp-submission")
    watch.check("upload and progress")
