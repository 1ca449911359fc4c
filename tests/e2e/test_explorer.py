"""In a real browser: the home map, the explorer (two places, per 100k, log scale, zoom, the URL as
state), chart downloads as PNG and SVG, the embed page, and a series that is no longer reported.
Screenshots at 1280 and 390 px go to test-artifacts/."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dataset.models import Erratum
from places.models import Location, Metric
from tests.dataset.page_data import START, add_series, make_release, make_source

pytestmark = pytest.mark.django_db(transaction=True)

DAYS = 120
NO_DATA = "#e6e8eb"


def _dataset():
    """Italy, France and Germany: confirmed cases rising at different paces; Italy's recovered ends."""
    source = make_source()
    release = make_release(description="JHU CSSE final time series")
    for key, step in (("IT", 900), ("FR", 300), ("DE", 40)):
        add_series(key, "confirmed", [step * i * i // 10 for i in range(DAYS)], source=source, release=release)
        add_series(key, "deaths", [step * i // 20 for i in range(DAYS)], source=source, release=release)
    recovered = [1000 * i for i in range(60)] + [0] * (DAYS - 60)
    add_series("IT", "recovered", recovered, source=source, release=release)
    Erratum.objects.create(
        location=Location.objects.get(key="IT"),
        metric=Metric.objects.get(code="recovered"),
        kind=Erratum.Kind.NO_LONGER_REPORTED,
        start=START + timedelta(days=60),
        what_is_wrong="JHU set the series to 0 when it stopped reporting.",
    )
    return release


def _watch_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _at_390(page, url, screenshot, name):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, name)


def test_the_home_map_colours_countries_by_the_chosen_measure(live_server, page, screenshot, reference_data):
    release = _dataset()
    errors = _watch_errors(page)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#world-map.map-drawn")
    italy = page.locator('#world-map path[data-key="IT"]')
    assert italy.get_attribute("fill") not in (None, NO_DATA)
    assert page.locator("#world-map path.has-data").count() == 3
    assert f"Release {release.number}" in page.get_by_test_id("home-release").inner_text()
    assert page.get_by_test_id("world-confirmed").inner_text() == f"{(900 + 300 + 40) * 119 * 119 // 10:,}"
    page.select_option("#map-measure", "per100k")
    assert page.locator("#world-map").get_attribute("data-state") == "confirmed:per100k"
    assert "measure=per100k" in page.url
    # Per 100,000 people, France (smaller population, a third of Italy's cases) is lighter than Italy.
    assert page.locator('#world-map path[data-key="DE"]').get_attribute("fill") != italy.get_attribute("fill")
    assert "Italy" in page.get_by_test_id("changed-places").inner_text()
    screenshot(page, "home-1280")
    _at_390(page, live_server.url + "/", screenshot, "home-390")
    assert errors == []


def _wait_state(page, part: str) -> None:
    """Wait until the explorer's state (what it writes to the URL) holds `part` (no eval: the page's
    Content-Security-Policy refuses it, so no wait_for_function)."""
    expect(page.locator("#explorer")).to_have_attribute("data-state", re.compile(re.escape(part)))


def _explorer_ready(page):
    page.wait_for_selector('#explorer[data-ready="1"] #explorer-chart.chart-drawn canvas')


def _y_max(page) -> float:
    return page.evaluate("Explorer.chart().scales.y.max")


def test_the_explorer_compares_places_per_capita_on_a_log_scale_and_keeps_it_in_the_url(
    live_server, page, screenshot, reference_data
):
    _dataset()
    errors = _watch_errors(page)
    page.goto(live_server.url + "/data/explorer/?places=IT,FR&metric=confirmed")
    _explorer_ready(page)
    assert page.locator("#explorer-places li").all_inner_texts() == ["Italy ×", "France ×"]
    legend = page.locator("#explorer-chart .u-legend").inner_text()
    assert "Italy" in legend
    assert "France" in legend
    absolute = _y_max(page)
    assert absolute >= 900 * 119 * 119 // 10

    page.check("#explorer-per")
    _wait_state(page, "per=100k")
    _explorer_ready(page)
    italy = Location.objects.get(key="IT")
    assert _y_max(page) < absolute / 100  # per 100,000 of 60 million people
    assert _y_max(page) >= (900 * 119 * 119 // 10) * 100_000 / italy.population

    page.check("#explorer-log")
    _wait_state(page, "scale=log")
    _explorer_ready(page)
    assert page.evaluate("Explorer.chart().scales.y.distr") == 3

    page.select_option("#explorer-view", "daily")
    _wait_state(page, "view=daily")
    _explorer_ready(page)

    over = page.locator("#explorer-chart .u-over")
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_url(re.compile(r"[?&]from="))
    zoomed_from = page.input_value("#explorer-from")
    assert zoomed_from > START.isoformat()
    assert page.input_value("#explorer-to") < (START + timedelta(days=DAYS)).isoformat()

    shared = page.url
    page.goto(shared)  # the URL alone brings the view back
    _explorer_ready(page)
    assert page.is_checked("#explorer-per")
    assert page.is_checked("#explorer-log")
    assert page.input_value("#explorer-view") == "daily"
    assert page.input_value("#explorer-from") == zoomed_from
    assert page.evaluate("Explorer.chart().scales.x.min") >= page.evaluate(
        f"Date.parse('{zoomed_from}T00:00:00Z') / 1000"
    )

    page.click("#explorer-tab-table")
    assert "tab=table" in page.url
    header = page.locator("#explorer-table thead").inner_text()
    assert "Italy" in header
    assert "France" in header
    first_row = page.locator("#explorer-table tbody tr").first.inner_text()
    assert first_row.split("\t")[0] <= page.input_value("#explorer-to")
    page.click("#explorer-tab-chart")
    screenshot(page, "explorer-1280")
    _at_390(page, shared, screenshot, "explorer-390")
    assert errors == []


def test_the_explorer_adds_a_place_from_the_search(live_server, page, reference_data):
    _dataset()
    page.goto(live_server.url + "/data/explorer/?places=IT")
    _explorer_ready(page)
    page.fill("#explorer-search", "Germ")
    page.locator(".place-results button", has_text="Germany (DE)").click()
    _wait_state(page, "places=IT%2CDE")
    assert "Germany" in page.locator("#explorer-chart .u-legend").inner_text()


def test_a_chart_downloads_as_png_and_svg_with_title_source_and_release(live_server, page, reference_data, tmp_path):
    release = _dataset()
    page.goto(live_server.url + "/data/explorer/?places=IT,FR&metric=deaths")
    _explorer_ready(page)
    with page.expect_download() as png:
        page.click("#explorer-png")
    png_path = tmp_path / png.value.suggested_filename
    png.value.save_as(png_path)
    assert png_path.suffix == ".png"
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_path.stat().st_size > 5000
    with page.expect_download() as svg:
        page.click("#explorer-svg")
    svg_path = tmp_path / svg.value.suggested_filename
    svg.value.save_as(svg_path)
    text = svg_path.read_text()
    assert text.startswith("<svg")
    assert "Deaths: Italy, France" in text
    assert f"release {release.number} (CC BY 4.0)" in text
    assert text.count("<path") >= 2  # one line per place


def test_the_embed_page_shows_the_chart_with_attribution_and_may_be_framed(live_server, page, reference_data):
    release = _dataset()
    errors = _watch_errors(page)
    response = page.goto(live_server.url + "/data/embed/?places=IT&metric=confirmed&view=daily")
    assert "x-frame-options" not in response.headers
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    _explorer_ready(page)
    assert page.locator("#explorer-title").inner_text() == "Confirmed cases, daily new (7-day average): Italy"
    attribution = page.get_by_test_id("attribution").inner_text()
    assert f"release {release.number}" in attribution
    assert "CC BY 4.0" in attribution
    assert page.locator("#explorer-metric").count() == 0  # the chart alone, no controls
    page.goto(live_server.url + "/data/explorer/?places=IT&metric=confirmed")
    _explorer_ready(page)
    snippet = page.input_value("#explorer-share")
    assert snippet.startswith('<iframe src="' + live_server.url + "/data/embed/?places=IT&metric=confirmed")
    assert errors == []


def test_an_ended_series_shows_its_last_value_and_since_when(live_server, page, screenshot, reference_data):
    _dataset()
    errors = _watch_errors(page)
    page.goto(live_server.url + "/data/IT/")
    page.wait_for_selector('.chart[data-chart="recovered"][data-view="total"].chart-drawn canvas')
    assert page.get_by_test_id("latest-recovered").inner_text() == "59,000"
    ended = page.get_by_test_id("ended-recovered").inner_text()
    assert ended == f"No longer reported since {(START + timedelta(days=60)).strftime('%-d %b %Y')}"
    daily_min = page.evaluate(
        "Math.min(...JSON.parse(document.getElementById('chart-data').textContent).series"
        ".find(s => s.code === 'recovered').daily.filter(v => v !== null))"
    )
    assert daily_min >= 0  # no false drop to zero
    page.goto(live_server.url + "/data/explorer/?places=IT&metric=recovered")
    _explorer_ready(page)
    last = page.evaluate("(() => { const u = Explorer.chart(); const ys = u.data[1]; return ys[ys.length - 1]; })()")
    assert last == 59_000  # the API leaves out the zeros
    page.goto(live_server.url + "/data/IT/")
    screenshot(page, "location-1280")
    _at_390(page, live_server.url + "/data/IT/", screenshot, "location-390")
    assert errors == []


def test_a_location_chart_downloads_as_png_and_svg(live_server, page, reference_data, tmp_path):
    release = _dataset()
    page.goto(live_server.url + "/data/FR/")
    total = '.chart[data-chart="confirmed"][data-view="total"]'
    page.wait_for_selector(total + ".chart-drawn canvas")
    bar = page.locator(total + " + .chart-downloads")
    with page.expect_download() as png:
        bar.locator('[data-format="png"]').click()
    path = tmp_path / png.value.suggested_filename
    png.value.save_as(path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    with page.expect_download() as svg:
        bar.locator('[data-format="svg"]').click()
    text = svg.value.path().read_text()
    assert "Confirmed cases in France, cumulative total" in text
    assert f"release {release.number} (CC BY 4.0)" in text
