"""A sheet as its plan reads it, in long form: one row per value, its texts still to be resolved."""

from typing import cast

import numpy as np
import pandas as pd

from common import parallel

from ..parsing import Sheet
from .context import Plan
from .encoding import category, constant, encode


def long_rows(sheet: Sheet, plan: Plan) -> pd.DataFrame:
    """Raw values in long form: loc0.., metric, date (categorical texts), raw_value (strings), column,
    row, sheet and group (rows of summed columns share a group)."""
    frame = sheet.frame
    n = len(frame)
    if plan.layout == "long":
        value_columns = [cast(str, plan.value_column)]  # a long plan without one has reasons, is not read
    elif plan.layout == "wide_date":
        value_columns = plan.date_columns
    else:
        value_columns = list(plan.metric_columns)
    if not value_columns or not n:
        return pd.DataFrame()
    k = len(value_columns)
    out = {}
    text_columns = [*plan.location_columns, plan.date_column, plan.metric_column if plan.layout == "long" else None]
    encoding = {column: parallel.submit(encode, frame[column], rows=n) for column in text_columns if column}

    def repeated(column: str) -> pd.Categorical:
        codes, uniques = encoding[column].result()
        return category(codes if k == 1 else np.tile(codes, k), uniques)

    for i, column in enumerate(plan.location_columns):
        out[f"loc{i}"] = repeated(column)
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
    elif plan.layout == "wide_date":
        out["metric"] = constant(plan.metric, n * k)
    else:
        metrics = list(dict.fromkeys(plan.metric_columns.values()))
        out["metric"] = category(np.repeat([metrics.index(plan.metric_columns[c]) for c in value_columns], n), metrics)
    result = pd.DataFrame(out, copy=False)  # no copy into 2-D blocks: a million rows
    counts = pd.Series(list(plan.metric_columns.values())).value_counts() if plan.layout == "wide_metric" else None
    multi = set(counts[counts > 1].index) if counts is not None else set()
    result["group"] = np.where(result["metric"].isin(multi), result["row"], 0) if multi else np.zeros(n * k, "int8")
    result["sheet"] = constant(sheet.name, n * k)
    return result
