"""The derived figures of the data dictionary (dataset/derived.py), on columns of several series at once."""

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dataset.derived import derive

DEMO_CONFIRMED = Path(__file__).resolve().parents[2] / "demo_data" / "jhu" / "time_series_covid19_confirmed_global.csv"
NaN = float("nan")


def _frame(*series: dict) -> pd.DataFrame:
    """Rows of several series: each {"days": [...], "values": [...], "cumulative": bool, "population": n,
    "end": day or None}; days as offsets from 1 March 2020."""
    origin = date(2020, 3, 1).toordinal()
    parts = []
    for label, s in enumerate(series):
        n = len(s["values"])
        parts.append(
            pd.DataFrame(
                {
                    "series": label,
                    "day": [origin + d for d in s.get("days", range(n))],
                    "value": s["values"],
                    "cumulative": s.get("cumulative", True),
                    "population": s.get("population", NaN),
                    "end": NaN if s.get("end") is None else origin + s["end"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _column(frame: pd.DataFrame, name: str, label: int = 0) -> list:
    return [None if math.isnan(v) else v for v in frame.loc[frame["series"] == label, name]]


def test_daily_new_of_a_cumulative_series_is_the_change_and_a_correction_stays_negative():
    derived = derive(_frame({"values": [10, 15, 14, 20]}))
    assert _column(derived, "daily_new") == [None, 5, -1, 6]


def test_daily_new_of_a_daily_metric_is_the_value_itself():
    derived = derive(_frame({"values": [3, 4, 5, 6], "cumulative": False}))
    assert _column(derived, "daily_new") == [3, 4, 5, 6]


def test_daily_new_after_a_gap_is_the_change_since_the_previous_reported_date():
    derived = derive(_frame({"days": [0, 1, 5], "values": [10, 12, 30]}))
    assert _column(derived, "daily_new") == [None, 2, 18]


def test_a_series_never_takes_its_previous_value_from_the_series_before_it():
    derived = derive(_frame({"values": [100, 200]}, {"values": [1, 3]}))
    assert _column(derived, "daily_new", 1) == [None, 2]


def test_the_average_waits_for_seven_days_and_leaves_missing_days_out():
    days = [0, 1, 2, 3, 4, 5, 6, 9]  # 7 and 8 missing
    derived = derive(_frame({"days": days, "values": [7, 7, 7, 7, 7, 7, 14, 21], "cumulative": False}))
    assert _column(derived, "daily_new_7day_average") == [None] * 6 + [8.0, (7 + 7 + 7 + 14 + 21) / 5]


def test_the_average_of_a_cumulative_series_counts_from_its_first_daily_figure():
    derived = derive(_frame({"values": [0, 1, 2, 3, 4, 5, 6, 7, 8]}))
    # Daily figures start on day 1; the first full window of 7 is days 1-7.
    assert _column(derived, "daily_new_7day_average") == [None] * 7 + [1.0, 1.0]


def test_a_correction_lowers_the_average_of_the_days_around_it():
    derived = derive(_frame({"values": [0, 10, 20, 30, 40, 50, 60, 70, 10]}))
    assert _column(derived, "daily_new")[-1] == -60
    assert _column(derived, "daily_new_7day_average")[-1] == pytest.approx((6 * 10 - 60) / 7)


def test_a_single_point_series_has_no_daily_change_and_no_average():
    derived = derive(_frame({"values": [42], "population": 1000}))
    row = derived.iloc[0]
    assert math.isnan(row["daily_new"])
    assert math.isnan(row["daily_new_7day_average"])
    assert row["value_per_100k"] == 4200


def test_an_ended_series_stops_the_day_before_its_end_without_a_false_fall():
    recovered = [1000 * i for i in range(10)] + [0] * 5  # the source zeroed the series from day 10
    derived = derive(_frame({"values": recovered, "end": 10}, {"values": list(range(15))}))
    assert len(_column(derived, "daily_new", 0)) == 10
    assert min(v for v in _column(derived, "daily_new", 0) if v is not None) == 1000
    assert _column(derived, "daily_new_7day_average", 0)[-1] == 1000
    assert len(_column(derived, "daily_new", 1)) == 15  # the other series goes on


def test_per_100k_divides_by_the_population_and_is_empty_without_one():
    with_population, without = {"values": [0, 50, 100], "population": 50_000}, {"values": [0, 50, 100]}
    derived = derive(_frame(with_population, without, {"values": [1], "population": 0}))
    assert _column(derived, "value_per_100k", 0) == [0, 100, 200]
    assert _column(derived, "daily_new_per_100k", 0) == [None, 100, 100]
    assert _column(derived, "value_per_100k", 1) == [None, None, None]
    assert _column(derived, "daily_new_per_100k", 1) == [None, None, None]
    assert _column(derived, "value_per_100k", 2) == [None]


def test_no_rows_give_no_rows():
    assert derive(_frame({"values": []})).empty


# ---- the explorer's previous definitions (static/js/explorer.js before the API carried the figures) ----


def _explorer_daily(values: list, cumulative: bool) -> list:
    if not cumulative:
        return list(values)
    return [values[i] - values[i - 1] if i else None for i in range(len(values))]


def _explorer_average7(xs: list, values: list) -> list:
    out, window, total, first = [], [], 0.0, None
    for x, v in zip(xs, values, strict=True):
        if v is not None:
            if first is None:
                first = x
            window.append((x, v))
            total += v
        while window and window[0][0] <= x - 7:
            total -= window.pop(0)[1]
        out.append(total / len(window) if window and first is not None and x - first >= 6 else None)
    return out


def test_the_figures_equal_the_explorers_previous_ones_on_the_demo_series():
    wide = pd.read_csv(DEMO_CONFIRMED, keep_default_na=False, dtype=str)
    countries = wide[(wide["Province/State"] == "") & wide["Country/Region"].isin(["Italy", "Germany", "France"])]
    days = [pd.Timestamp(d).date().toordinal() for d in pd.to_datetime(wide.columns[4:], format="%m/%d/%y")]
    population = {"Italy": 60_461_826, "Germany": 83_783_942, "France": 65_273_511}
    series = []
    for _, row in countries.iterrows():  # three rows
        values = [float(v) for v in row.iloc[4:]]
        # A gap and a correction, as official series have them.
        values[100] = values[99] - 5
        kept = [i for i in range(len(values)) if i % 50 != 7]
        series.append((row["Country/Region"], [days[i] for i in kept], [values[i] for i in kept]))
    frame = pd.concat(
        [
            pd.DataFrame({"series": n, "day": d, "value": v, "cumulative": True, "population": population[name]})
            for n, (name, d, v) in enumerate(series)
        ],
        ignore_index=True,
    )
    derived = derive(frame)
    assert len(derived) > 3 * 1000
    for n, (name, d, values) in enumerate(series):
        daily = _explorer_daily(values, True)
        average = _explorer_average7(d, daily)
        per = [None if a is None else a * 100_000 / population[name] for a in average]
        assert _column(derived, "daily_new", n) == daily
        np.testing.assert_allclose(
            np.array(_column(derived, "daily_new_7day_average", n), dtype=float),
            np.array(average, dtype=float),
            rtol=1e-12,
        )
        np.testing.assert_allclose(
            np.array(_column(derived, "daily_new_7day_average_per_100k", n), dtype=float),
            np.array(per, dtype=float),
            rtol=1e-12,
        )
        assert _column(derived, "value_per_100k", n) == [v * 100_000 / population[name] for v in values]
