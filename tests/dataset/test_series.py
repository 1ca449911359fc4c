"""Series maths of the location pages: daily changes, trailing averages, the week's change."""

from datetime import date, timedelta

import pytest

from dataset.series import MetricSeries, daily_changes, trailing_average
from places.models import Metric


def test_trailing_average_ignores_missing_days_instead_of_counting_zeros():
    days = [date(2020, 3, 1) + timedelta(days=i) for i in (0, 1, 2, 3, 4, 5, 6, 9)]
    averages = trailing_average(days, [7, 7, 7, 7, 7, 7, 14, 21], days=7)
    assert averages[:6] == [None] * 6
    assert averages[6] == 8.0  # 1 to 7 March: six 7s and a 14
    assert averages[7] == (7 + 7 + 7 + 14 + 21) / 5  # 4 to 10 March: five days known, 8 and 9 missing


def test_daily_changes_of_a_cumulative_series_keep_corrections_negative():
    days = [date(2020, 3, 1) + timedelta(days=i) for i in range(4)]
    assert daily_changes(days, [10, 15, 14, 20], cumulative=True) == [None, 5, -1, 6]
    assert daily_changes(days, [3, 4, 5, 6], cumulative=False) == [3, 4, 5, 6]


@pytest.mark.django_db
def test_week_change_needs_a_value_exactly_seven_days_earlier(reference_data):
    confirmed = Metric.objects.get(code="confirmed")
    days = [date(2020, 3, 1) + timedelta(days=i) for i in (0, 1, 8)]
    assert MetricSeries(confirmed, days, [10, 15, 40]).week_change == 25
    gap = [date(2020, 3, 1) + timedelta(days=i) for i in (0, 2, 8)]
    assert MetricSeries(confirmed, gap, [10, 15, 40]).week_change is None
    assert MetricSeries(Metric.objects.get(code="icu"), days, [1, 2, 3]).week_change is None
