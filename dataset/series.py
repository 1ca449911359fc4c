"""Series for the location pages: daily changes, trailing averages (dataset/derived.py's definitions,
the API's) and the MetricSeries that carries them. Pure functions of dates and values, no database
reads (those are in selectors.py and vintages.py, which build the points these functions turn into
series).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from places.models import Metric

from . import derived

FEW_POINTS = 7  # a series with fewer reported dates is shown as a table, not as two near-empty charts


@dataclass
class MetricSeries:
    """One metric's series for a location, with the daily figures derived from it."""

    metric: Metric
    dates: list
    values: list
    daily: list = field(default_factory=list)
    average: list = field(default_factory=list)
    summed_regions: int = 0  # > 0 when the series is the sum of this many regions
    ended: date | None = None  # first date without data of a series no longer reported (dataset/ended.py)

    @property
    def latest_date(self):
        return self.dates[-1] if self.dates else None

    @property
    def latest_value(self):
        return self.values[-1] if self.values else None

    @property
    def few_points(self) -> bool:
        return len(self.dates) < FEW_POINTS

    @property
    def is_cumulative(self) -> bool:
        return self.metric.kind == Metric.Kind.CUMULATIVE

    @property
    def week_change(self):
        """For a cumulative series, the rise over the 7 days to the latest date (None without a value
        exactly 7 days earlier)."""
        if not self.is_cumulative or not self.dates:
            return None
        week_before = self.dates[-1] - timedelta(days=7)
        for day, value in zip(reversed(self.dates), reversed(self.values), strict=True):
            if day == week_before:
                return self.values[-1] - value
            if day < week_before:
                return None
        return None

    def recent_rows(self, days: int = 14) -> list:
        """The last `days` points as (date, value, daily, 7-day average), newest first, for the text table."""
        rows = list(zip(self.dates, self.values, self.daily, self.average, strict=True))[-days:]
        return rows[::-1]

    def as_json(self) -> dict:
        return {
            "code": self.metric.code,
            "name": self.metric.name,
            "kind": self.metric.kind,
            "unit": self.metric.unit,
            "dates": [d.isoformat() for d in self.dates],
            "values": _compact(self.values),
            "daily": _compact(self.daily),
            "average": self.average,
            "ended": self.ended.isoformat() if self.ended else None,
        }


def _compact(numbers: list) -> list:
    """Whole floats as ints, so the page's JSON says 2036 rather than 2036.0."""
    return [int(n) if isinstance(n, float) and n.is_integer() else n for n in numbers]


def daily_changes(dates: list, values: list, *, cumulative: bool) -> list:
    """Daily new figures (dataset/derived.py, the API's definition): for a cumulative series, the change
    since the previous reported date (negative when the source corrected itself); for any other
    series, the values themselves."""
    if not cumulative:
        return list(values)
    one = np.zeros(len(values), dtype=np.int64)
    return _listed(derived.daily_new(one, _floats(values), np.ones(len(values), dtype=bool)))


def trailing_average(dates: list, values: list, *, days: int = derived.WINDOW_DAYS) -> list:
    """Mean of the values dated within the last `days` calendar days (missing days are not zeros),
    rounded for the page; None until a full window of days has passed since the first value
    (dataset/derived.py, the API's definition)."""
    ordinals = np.array([day.toordinal() for day in dates], dtype=np.int64)
    averages = derived.seven_day_average(np.zeros(len(values), dtype=np.int64), ordinals, _floats(values), window=days)
    return [None if average is None else round(average, 2) for average in _listed(averages)]


def _floats(values: list) -> np.ndarray:
    return np.array([np.nan if value is None else value for value in values], dtype=float)


def _listed(column: np.ndarray) -> list:
    return [None if value != value else value for value in column.tolist()]


def group_points(rows) -> dict:
    """{metric_id: (dates, values)} from (metric_id, date, value) rows ordered by metric and date."""
    points: dict[int, tuple[list[date], list[float]]] = {}
    for metric_id, day, value in rows:
        dates, values = points.setdefault(metric_id, ([], []))
        dates.append(day)
        values.append(value)
    return points


def make_series(metrics: dict, points: dict, summed_regions: dict, ends: dict | None = None) -> list:
    """One MetricSeries per metric of `points`, in display order; `summed_regions` says, for a metric
    summed from regions, how many regions; `ends`, for a series no longer reported, its first date
    without data (its points from then on are left out)."""
    series = []
    ends = ends or {}
    for metric_id, (all_dates, all_values) in points.items():
        metric = metrics[metric_id]
        end = ends.get(metric_id)
        kept = sum(1 for day in all_dates if day < end) if end else len(all_dates)
        dates, values = all_dates[:kept], all_values[:kept]
        if not dates:
            continue
        daily = daily_changes(dates, values, cumulative=metric.kind == Metric.Kind.CUMULATIVE)
        series.append(
            MetricSeries(
                metric,
                dates,
                values,
                daily,
                trailing_average(dates, daily),
                summed_regions=summed_regions.get(metric_id, 0),
                ended=end,
            )
        )
    return sorted(series, key=lambda s: (s.metric.display_order, s.metric.code))
