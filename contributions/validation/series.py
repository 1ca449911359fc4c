"""Series checks on the finished frame: negative values, cumulative series that fall, implausible
jumps. Warnings only: the reviewer decides."""

from concurrent.futures import Future

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from common import parallel
from places.models import Metric

from ..texts import Params
from .context import Context
from .encoding import texts_at

JUMP_FACTOR = 10
JUMP_MIN_INCREASE = 1000


def _series_flags(
    values: np.ndarray, location_ids: np.ndarray, metric_ids: np.ndarray, cumulative_ids: list[int]
) -> dict[str, np.ndarray]:
    """Positions of the rows to warn about, by code, in rows sorted by location, metric and date:
    negative values, cumulative series that fall, implausible jumps (plain array work, which can run
    in another thread)."""
    flagged = {"negative_value": np.flatnonzero(values < 0)}
    if len(values) >= 2:
        # Each value against the one before it (views, so a million rows cost no copies), where both
        # are of the same cumulative series.
        loc, met = location_ids, metric_ids
        is_cumulative = np.zeros(max([*cumulative_ids, int(met.max())]) + 1, dtype=bool)
        is_cumulative[cumulative_ids] = True
        follows = is_cumulative[met[1:]]  # a table lookup: np.isin sorts a million ids
        follows &= loc[1:] == loc[:-1]
        follows &= met[1:] == met[:-1]
        current, previous = values[1:], values[:-1]
        with np.errstate(invalid="ignore"):
            jumps = np.flatnonzero(follows & (current > previous * JUMP_FACTOR))  # few: the rest of the rule on them
            jumps = jumps[(previous[jumps] > 0) & (current[jumps] - previous[jumps] >= JUMP_MIN_INCREASE)]
            follows &= current < previous
        flagged["cumulative_decrease"] = np.flatnonzero(follows) + 1
        flagged["implausible_jump"] = jumps + 1
    return flagged


def start_series_flags(ctx: Context, frame: pd.DataFrame) -> Future[dict[str, np.ndarray]]:
    """The rows to warn about, found in another thread while the caller goes on (see check_series)."""
    cumulative_ids = [pk for pk, kind in ctx.metrics.values() if kind == Metric.Kind.CUMULATIVE]
    return parallel.submit(
        _series_flags,
        frame["value"].to_numpy(),
        frame["location_id"].to_numpy(),
        frame["metric_id"].to_numpy(),
        cumulative_ids,
        rows=len(frame),
    )


def check_series(ctx: Context, frame: pd.DataFrame, flags: Future[dict[str, np.ndarray]]) -> None:
    """Warnings on the finished frame (sorted by location, metric, date): negatives, decreasing
    cumulative series, implausible jumps, each with its row. `flags`: start_series_flags' result."""
    flagged = flags.result()
    values = frame["value"].to_numpy()
    if not any(len(where) for where in flagged.values()):
        return
    where = np.concatenate(list(flagged.values()))  # every flagged row, as lists from here on
    metric, key = texts_at(frame["metric"], where), texts_at(frame["location_key"], where)
    value, before = values[where].tolist(), values[np.maximum(where - 1, 0)].tolist()
    day = np.datetime_as_string(frame["date"].to_numpy()[where], unit="D").tolist()
    row, sheet = frame["row"].to_numpy()[where].tolist(), texts_at(frame["sheet"], where)
    start = 0
    for code, indexes in flagged.items():
        part = range(start, start + len(indexes))
        start += len(indexes)
        params: list[Params]
        if code == "negative_value":
            msgid = gettext_noop("Negative value %(value)s for %(metric)s in %(location)s.")
            params = [{"value": f"{value[i]:,.0f}", "metric": metric[i], "location": key[i]} for i in part]
        else:
            msgid = (
                gettext_noop(
                    "%(metric)s in %(location)s falls from %(before)s to %(value)s on %(date)s "
                    "(a correction by the source?)."
                )
                if code == "cumulative_decrease"
                else gettext_noop(
                    "%(metric)s in %(location)s jumps from %(before)s to %(value)s on %(date)s "
                    "(more than ten times the day before; an extra digit?)."
                )
            )
            params = [
                {
                    "metric": metric[i],
                    "location": key[i],
                    "before": f"{before[i]:,.0f}",
                    "value": f"{value[i]:,.0f}",
                    "date": day[i],
                }
                for i in part
            ]
        ctx.problems.add_records(
            code,
            "warning",
            rows=[row[i] for i in part],
            sheets=[sheet[i] for i in part],
            columns=[metric[i] for i in part],
            values=[str(value[i]) for i in part],
            msgid=msgid,
            params=params,
        )
