"""The review page's charts: places and metrics by name, submitted values next to canonical ones, and
a table instead of a chart for a series of a few dates."""

from datetime import date

import pandas as pd
import pytest

from review.diffchart import chart_data
from tests.dataset.page_data import add_series, make_release, make_source
from tests.review.builders import frame_for, make_submission

pytestmark = pytest.mark.django_db


def _submission(volunteer, dates, value):
    source = make_source()
    frame = frame_for(["IT_21"], ["confirmed"], dates, value=value)
    diff = {"series": [{"location": "IT_21", "metric": "confirmed", "new": 0, "changed": len(dates)}]}
    return make_submission(submitter=volunteer, source=source, frame=frame, diff=diff), source


def test_pairs_are_named_and_show_submitted_next_to_canonical(volunteer):
    dates = pd.date_range("2020-03-01", periods=12).strftime("%Y-%m-%d").tolist()
    submission, source = _submission(volunteer, dates, lambda i: 100 + i)
    start = date(2020, 3, 1)
    add_series("IT_21", "confirmed", [90 + i for i in range(12)], source=source, release=make_release(1), start=start)
    pair = chart_data(submission)["pairs"][0]
    assert pair["label"] == "Piemonte · Confirmed cases"
    assert pair["chart"] is True
    assert len(pair["rows"]) == 10
    assert pair["rows"][0] == ("2020-03-12", 101.0, 111.0, 10.0)  # newest first: canonical, submitted, change


def test_a_pair_of_one_date_is_a_table_not_a_chart(client, volunteer, reviewer):
    submission, _source = _submission(volunteer, ["2020-03-01"], lambda i: 7)
    pair = chart_data(submission)["pairs"][0]
    assert pair["chart"] is False
    assert pair["rows"] == [("2020-03-01", None, 7.0, None)]
    client.force_login(reviewer)
    page = client.get(f"/review/{submission.pk}/").content.decode()
    figure = page.split('data-testid="diff-pair-IT_21-confirmed"', 1)[1].split("</figure>", 1)[0]
    assert "Piemonte · Confirmed cases" in figure
    assert "data-pair=" not in figure  # no empty chart
    assert '<td class="num">7</td><td class="num">new</td>' in figure
