"""The derived figures of the data dictionary (#derived): daily new, 7-day average, per 100,000 people.

One definition for every reader: the API's series/ endpoint computes them here, the location pages'
charts (series.py) and the explorer (which reads them from the API) show the same numbers.

Functions work on whole columns of many series at once: rows sorted by series, then date, one row
per series and date; a series is any integer label (its rows contiguous), a day any integer day
number (date ordinals). Missing figures are NaN.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

WINDOW_DAYS = 7
PER = 100_000
# The API writes derived figures rounded to this many decimal places (sums of floats carry noise).
DECIMALS = 6
FIELDS = (
    "daily_new",
    "daily_new_7day_average",
    "value_per_100k",
    "daily_new_per_100k",
    "daily_new_7day_average_per_100k",
)


def _same_series_as_previous(series: np.ndarray, back: int) -> np.ndarray:
    """True where the row `back` rows earlier belongs to the same series."""
    same = np.zeros(len(series), dtype=bool)
    if back < len(series):
        same[back:] = series[back:] == series[:-back]
    return same


def _shifted(values: np.ndarray, back: int) -> np.ndarray:
    """values[i - back] at row i (NaN before the first `back` rows)."""
    out = np.full(len(values), np.nan)
    if back < len(values):
        out[back:] = values[: len(values) - back]
    return out


def daily_new(series: np.ndarray, values: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    """For a cumulative series, the value minus the value of the previous reported date (negative when
    the source corrected itself; NaN on a series' first date); for any other, the value itself."""
    values = np.asarray(values, dtype=float)
    change = np.where(_same_series_as_previous(series, 1), values - _shifted(values, 1), np.nan)
    return np.where(np.asarray(cumulative, dtype=bool), change, values)


def seven_day_average(
    series: np.ndarray, days: np.ndarray, daily: np.ndarray, *, window: int = WINDOW_DAYS
) -> np.ndarray:
    """Mean of the daily figures dated in the 7 calendar days ending on each date (missing days and NaN
    figures left out, not counted as zero); NaN until 7 days have passed since the series' first
    daily figure.

    With one row per date, those days are at most the 6 rows before: 7 shifted sums, no loop over rows."""
    days = np.asarray(days, dtype=np.int64)
    daily = np.asarray(daily, dtype=float)
    total, count = np.zeros(len(daily)), np.zeros(len(daily))
    for back in range(window):
        figure = daily if back == 0 else _shifted(daily, back)
        inside = ~np.isnan(figure)
        if back:
            earlier = _shifted(days.astype(float), back)  # NaN before the first rows: never inside
            inside &= _same_series_as_previous(series, back) & (days - earlier < window)
        total += np.where(inside, figure, 0.0)
        count += inside
    first = _first_per_series(series, np.where(np.isnan(daily), np.iinfo(np.int64).max, days))
    full = (count > 0) & (days - first >= window - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(full, total / np.where(count > 0, count, 1), np.nan)


def _first_per_series(series: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Each row's series' smallest `days`, repeated on every row of the series."""
    if len(series) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, series[1:] != series[:-1]])
    lengths = np.diff(np.r_[starts, len(series)])
    return np.repeat(np.minimum.reduceat(days, starts), lengths)


def per_100k(values: np.ndarray, population: np.ndarray) -> np.ndarray:
    """value × 100,000 ÷ population; NaN where the population is unknown (NaN or 0)."""
    population = np.asarray(population, dtype=float)
    known = np.nan_to_num(population) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known, np.asarray(values, dtype=float) * PER / np.where(known, population, 1.0), np.nan)


def derive_columns(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every derived figure (FIELDS) of the series in `columns`, added to them (see derive)."""
    columns = {name: np.asarray(column) for name, column in columns.items()}
    if "end" in columns:
        kept = ~(columns["day"] >= columns["end"].astype(float))  # NaN end: nothing dropped
        columns = {name: column[kept] for name, column in columns.items()}
    series, days = columns["series"], columns["day"].astype(np.int64)
    values, population = columns["value"].astype(float), columns["population"].astype(float)
    daily = daily_new(series, values, columns["cumulative"].astype(bool))
    average = seven_day_average(series, days, daily)
    return {
        **columns,
        "daily_new": daily,
        "daily_new_7day_average": average,
        "value_per_100k": per_100k(values, population),
        "daily_new_per_100k": per_100k(daily, population),
        "daily_new_7day_average_per_100k": per_100k(average, population),
    }


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Every derived figure (FIELDS) of the series in `frame`, as new columns of a copy.

    `frame` has the columns `series` (int), `day` (int), `value`, `cumulative` (bool), `population`
    (NaN when unknown) and optionally `end` (the first day without data of a series no longer
    reported, dataset/ended.py; NaN otherwise), sorted by series and day. Rows from a series' end on
    are dropped first: they are not data, and JHU's zeros would make a false fall of millions."""
    return pd.DataFrame(derive_columns({name: frame[name].to_numpy() for name in frame.columns}))
