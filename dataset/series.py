"""Series maths for the location pages: daily changes, trailing averages and the MetricSeries that
carries them. Pure functions of dates and values, no database reads (those are in selectors.py and
vintages.py, which build the points these functions turn into series).
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta

from places.models import Metric

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
    """Daily new figures: for a cumulative series, the change since the previous reported date
    (negative when the source corrected itself); for any other series, the values themselves."""
    if not cumulative:
        return list(values)
    changes = [None] * len(values)
    for i in range(1, len(values)):
        changes[i] = values[i] - values[i - 1]
    return changes


def trailing_average(dates: list, values: list, *, days: int = 7) -> list:
    """Mean of the values dated within the last `days` calendar days (missing days are not zeros).
    None until a full window of days has passed since the first value."""
    ordinals = [day.toordinal() for day in dates]
    averages: list[float | None] = []
    window: deque[tuple[int, float]] = deque()
    total = 0.0
    first = next((o for o, v in zip(ordinals, values, strict=True) if v is not None), None)
    for day, value in zip(ordinals, values, strict=True):
        if value is not None:
            window.append((day, value))
            total += value
        while window and window[0][0] <= day - days:
            total -= window.popleft()[1]
        full = first is not None and day - first >= days - 1
        averages.append(round(total / len(window), 2) if window and full else None)
    return averages


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
