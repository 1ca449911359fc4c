"""In a real browser: two reviewers revert a merged submission (one proposes, the other confirms),
and an erratum shows as a marker on the location page's chart."""

from datetime import date

import pandas as pd
import pytest

from contributions.models import Submission
from dataset.models import Erratum, Observation
from places.models import Location, Metric
from review import merge
from tests.dataset.page_data import add_series, make_release, make_source
from tests.e2e.signing_in import sign_in_with_second_factor
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source as make_national_source

DATES = pd.date_range("2020-03-01", periods=3).strftime("%Y-%m-%d").tolist()


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_revert_a_merged_submission(live_server, browser, make_user, screenshot):
    volunteer = make_user("vol@example.org")
    make_user("first@example.org", role="reviewer", countries=("IT",))
    make_user("second@example.org", role="reviewer", countries=("IT",))
    source = make_national_source(country="IT")
    merged = []
    for value in (1, 99):
        submission = make_submission(
            submitter=volunteer,
            source=source,
            frame=frame_for(["IT_21"], ["confirmed"], DATES, value=lambda i, v=value: v),
            status=Submission.Status.APPROVED,
        )
        merge.run(submission_id=submission.pk)
        merged.append(submission)
    bad = merged[1]

    first = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # on a phone
    sign_in_with_second_factor(first, live_server, "first@example.org")
    first.goto(f"{live_server.url}/review/{bad.pk}/revert/")
    first.fill("textarea[name=reason]", "The region counted the same cases twice")
    first.get_by_role("button", name="Propose the revert").click()
    first.wait_for_selector("#revert-state")
    assert "another reviewer must confirm it" in first.content()
    first.context.close()

    second = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_with_second_factor(second, live_server, "second@example.org")
    second.goto(f"{live_server.url}/review/{bad.pk}/revert/")
    second.get_by_role("button", name="Confirm the revert").click()
    second.wait_for_selector("#revert-result")
    assert "3 values restored" in second.locator("#revert-result").inner_text()
    screenshot(second, "revert-done")
    second.context.close()
    assert sorted(Observation.objects.values_list("value", flat=True)) == [1.0, 1.0, 1.0]


@pytest.mark.django_db(transaction=True)
def test_an_erratum_is_a_marker_on_the_chart(live_server, page, reference_data, screenshot):
    source = make_source()
    release = make_release()
    add_series("IT", "confirmed", [float(i * 10) for i in range(60)], source=source, release=release)
    Erratum.objects.create(
        location=Location.objects.get(key="IT"),
        metric=Metric.objects.get(code="confirmed"),
        start=date(2020, 3, 10),
        end=date(2020, 3, 12),
        what_is_wrong="A backlog counted on one day",
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/data/IT/")
    chart = '.chart[data-chart="confirmed"][data-view="total"]'
    page.wait_for_selector(f"{chart}.chart-drawn .erratum-marker")
    flag = page.locator(f"{chart} .erratum-flag")
    assert "A backlog counted on one day" in flag.get_attribute("title")
    marker = page.locator(f"{chart} .erratum-marker").bounding_box()
    over = page.locator(f"{chart} .u-over").bounding_box()
    assert over["x"] < marker["x"] < over["x"] + over["width"] / 2  # early March, in the first half
    assert "A backlog counted on one day" in page.locator("#errata").inner_text()
    screenshot(page, "erratum-marker")
    assert errors == []
