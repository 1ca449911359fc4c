"""JHU's files written from a Table (the snapshot's values, or a past release's) instead of the database.

The same files as jhu.write_jhu, built with its row and file functions; a release writes only the
metrics whose values changed (`metrics`) and keeps the others' files from the release before.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from places.models import Metric

from . import jhu
from .schema import JHU_HEADER, JHU_NAME
from .table import Table


def jhu_names(code: str) -> tuple[str, str]:
    """The file names a metric's JHU files have (global, US)."""
    return JHU_NAME.format(metric=code), jhu.JHU_US_NAME.format(metric=code)


def write_jhu_from_table(directory: Path, table: Table, metrics: set[int] | None = None) -> list[Path]:
    """JHU's global and US files, one per metric (of `metrics`, or all) and layout that has rows with values."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if metrics is not None:
        table = table.take(np.flatnonzero(np.isin(table.metric_ids, list(metrics))))
    frame = pd.DataFrame(
        {
            "metric_id": table.metric_ids,
            "location_id": table.location_ids,
            "date": table.days.astype("datetime64[D]"),
            "value": table.values.astype("float64"),
        }
    )
    by_metric = dict(tuple(frame.groupby("metric_id", sort=False)))
    with_data = Metric.objects.filter(pk__in=list(by_metric)).order_by("display_order", "code")
    for metric in with_data:
        values = by_metric[metric.pk][["location_id", "date", "value"]].reset_index(drop=True)
        with_values = values["location_id"].unique()
        global_name, us_name = jhu_names(metric.code)
        rows = jhu._global_rows(metric, with_values)
        if len(rows):
            written.append(jhu._write(directory / global_name, JHU_HEADER, rows, values))
        us_header, us_rows = jhu._us_rows(metric, with_values)
        if len(us_rows):
            written.append(jhu._write(directory / us_name, us_header, us_rows, values))
    return written
