"""In a real browser: a visitor opens Italy's page, sees the charts drawn and reads a value by hovering."""

from datetime import date

import pandas as pd
import pytest

from tests.dataset.page_data import add_series, make_release, make_source


def italy_row(path) -> tuple[date, list[float]]:
    """Italy's whole series from JHU's final file: (first date, values)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = frame[(frame["Country/Region"] == "Italy") & (frame["Province/State"] == "")].iloc[0]
    dates = frame.columns[4:]
    first = pd.to_datetime(dates[0], format="%m/%d/%y").date()
    return first, [float(v) for v in row[dates]]


def canvas_has_ink(page, selector: str) -> bool:
    """True when the chart's canvas has pixels that are neither transparent nor white."""
    return page.eval_on_selector(
        selector,
        """el => {
        const canvas = el.querySelector("canvas");
        const {width, height} = canvas;
        const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
        for (let i = 0; i < pixels.length; i += 4) {
            if (pixels[i + 3] > 0 && (pixels[i] < 240 || pixels[i + 1] < 240 || pixels[i + 2] < 240)) return true;
        }
        return false;
    }""",
    )


@pytest.mark.django_db(transaction=True)
def test_italy_page_draws_charts_and_hover_shows_a_value(live_server, page, screenshot, reference_data, jhu_final_file):
    source = make_source()
    release = make_release(description="JHU CSSE final time series")
    for metric in ("confirmed", "deaths"):
        first, values = italy_row(jhu_final_file(metric))
        add_series("IT", metric, values, source=source, release=release, start=first)

    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/data/IT/")
    assert page.get_by_role("heading", level=1).inner_text() == "Italy"
    page.wait_for_selector('.chart[data-chart="confirmed"][data-view="total"].chart-drawn canvas')
    assert page.locator(".chart.chart-drawn").count() == 4  # total and daily for two metrics
    assert canvas_has_ink(page, '.chart[data-chart="confirmed"][data-view="total"]')
    assert canvas_has_ink(page, '.chart[data-chart="deaths"][data-view="daily"]')

    over = page.locator('.chart[data-chart="confirmed"][data-view="total"] .u-over')
    box = over.bounding_box()
    over.hover(position={"x": box["width"] * 0.6, "y": box["height"] / 2})
    tooltip = page.locator('.chart[data-chart="confirmed"][data-view="total"] .chart-tooltip')
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert any(str(year) in text for year in (2020, 2021, 2022, 2023))
    assert "Total:" in text
    assert any(ch.isdigit() for ch in text.split("Total:")[1])
    screenshot(page, "location-italy")
    assert errors == []
