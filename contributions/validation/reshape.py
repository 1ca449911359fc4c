"""A sheet as its plan reads it, in long form: one row per value, its texts still to be resolved."""

from typing import cast

import numpy as np
import pandas as pd

from ..parsing import Sheet
from .context import Context, Plan
from .encoding import category, constant

PLACE = "place"  # the location key a value's column gives it ("" when the row's place applies)


def text_columns(plan: Plan) -> list[str]:
    """The columns whose texts a plan resolves (places, date, a long file's metric), each once."""
    columns = [*plan.location_columns, plan.date_column, plan.metric_column if plan.layout == "long" else None]
    return list(dict.fromkeys(c for c in columns if c))


def long_rows(ctx: Context, sheet: Sheet, plan: Plan) -> pd.DataFrame:
    """Raw values in long form: loc0.., metric, date (categorical texts), raw_value (strings), column,
    row, sheet, group (rows of summed columns share a group) and, when columns have places, place."""
    frame = sheet.frame
    n = len(frame)
    if plan.layout == "long":
        value_columns = [cast(str, plan.value_column)]  # a long plan without one has reasons, is not read
    elif plan.layout == "wide_date":
        value_columns = plan.date_columns
    elif plan.layout == "wide_place":
        value_columns = [c for c, key in plan.column_places.items() if key]
    else:
        value_columns = list(plan.metric_columns)
    if not value_columns or not n:
        return pd.DataFrame()
    k = len(value_columns)
    out = {}
    encoding = {column: ctx.encoding(frame, column) for column in text_columns(plan)}

    places = [plan.column_places.get(c, "") for c in value_columns]

    def repeated(column: str, *, placed: bool = False) -> pd.Categorical:
        codes, uniques = encoding[column].result()
        codes = codes if k == 1 else np.tile(codes, k)
        if placed and any(places):  # the column's place wins: no row texts to look up
            codes = np.where(np.repeat([bool(p) for p in places], n), -1, codes)
        return category(codes, uniques)

    for i, column in enumerate(plan.location_columns):
        out[f"loc{i}"] = repeated(column, placed=True)
    if plan.date_column:
        out["date"] = repeated(plan.date_column)
    elif plan.date_constant is not None:
        out["date"] = constant(plan.date_constant.isoformat(), n * k)
    else:  # wide_date: the header is the date
        out["date"] = category(np.repeat(np.arange(k), n), value_columns)
    source_rows = frame.index.to_numpy(dtype="int64")
    out["row"] = source_rows if k == 1 else np.tile(source_rows, k)
    if k == 1:
        out["raw_value"] = frame[value_columns[0]].array
        out["column"] = constant(value_columns[0], n)
    else:
        out["raw_value"] = pd.array(frame[value_columns].to_numpy(dtype=object).ravel(order="F"), dtype="str")
        out["column"] = category(np.repeat(np.arange(k), n), value_columns)
    if plan.layout == "long":
        out["metric"] = repeated(cast(str, plan.metric_column))
    elif plan.layout in ("wide_date", "wide_place"):
        out["metric"] = constant(plan.metric, n * k)
    else:
        metrics = list(dict.fromkeys(plan.metric_columns.values()))
        out["metric"] = category(np.repeat([metrics.index(plan.metric_columns[c]) for c in value_columns], n), metrics)
    if any(places):
        keys = list(dict.fromkeys(places))
        out[PLACE] = category(np.repeat([keys.index(p) for p in places], n), keys)
    result = pd.DataFrame(out, copy=False)  # no copy into 2-D blocks: a million rows
    result["group"] = _groups(plan, value_columns, places, result["row"].to_numpy(), n)
    result["sheet"] = constant(sheet.name, n * k)
    return result


def _groups(plan: Plan, value_columns: list[str], places: list[str], rows: np.ndarray, n: int) -> np.ndarray:
    """Wide by metric: columns given the same metric (and the same place) are added up, row by row: their
    values share the row's number as group; 0 for every other value."""
    if plan.layout != "wide_metric":
        return np.zeros(n * len(value_columns), "int8")
    targets = [(plan.metric_columns[c], place) for c, place in zip(value_columns, places, strict=True)]
    summed = np.array([targets.count(t) > 1 for t in targets])
    if not summed.any():
        return np.zeros(n * len(value_columns), "int8")
    return np.where(np.repeat(summed, n), rows, 0)
