"""The whole dataset read for the exports: columns fetched as numpy arrays, in the stable tidy order."""

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection

from places.models import Location, Metric
from sources.models import Source

from ..models import Observation

CHUNK_ROWS = 100_000


def _lookups() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    locations = pd.DataFrame(
        list(Location.objects.values_list("id", "key", "name")), columns=["id", "key", "name"]
    ).set_index("id")
    metrics = pd.DataFrame(list(Metric.objects.values_list("id", "code")), columns=["id", "code"]).set_index("id")
    sources = pd.DataFrame(list(Source.objects.values_list("id", "name")), columns=["id", "name"]).set_index("id")
    return locations, metrics, sources


def epoch_days_sql(column: str) -> str:
    """SQL for a date column as days since 1970-01-01 (integers travel much faster than date text)."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def fetch_columns(sql: str, params: Sequence[Any] = (), chunk_rows: int = CHUNK_ROWS) -> list[np.ndarray]:
    """Run a query and return its columns as numpy arrays (dates as datetime64[D])."""
    parts: list[list[np.ndarray]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(chunk_rows):
            parts.append([np.array(column) for column in zip(*rows, strict=True)])
    if not parts:
        return [np.array([]) for _ in names]
    columns = [np.concatenate([p[i] for p in parts]) for i in range(len(names))]
    return [
        c.astype("int64").astype("datetime64[D]") if n == "date" else c for n, c in zip(names, columns, strict=True)
    ]


def iter_observations(chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The whole dataset as DataFrames in the stable order date, location_key, metric (raw text).

    Sorting happens in numpy on small integer ranks (SQLite's ORDER BY over joined text keys is
    several times slower); memory is a few tens of bytes per value.
    """
    locations, metrics, sources = _lookups()
    obs = Observation._meta.db_table
    dates, location_ids, metric_ids, values, source_ids = fetch_columns(
        f"SELECT {epoch_days_sql('date')} AS date, location_id, metric_id, value, source_id FROM {obs}"  # noqa: S608
    )
    if not len(dates):
        return
    location_rank = locations["key"].rank(method="dense").astype("int64")
    metric_rank = metrics["code"].rank(method="dense").astype("int64")
    order = np.lexsort(
        (
            metric_rank.reindex(metric_ids).to_numpy(),
            location_rank.reindex(location_ids).to_numpy(),
            dates,
        )
    )
    for start in range(0, len(order), chunk_rows):
        index = order[start : start + chunk_rows]
        yield pd.DataFrame(
            {
                "date": np.datetime_as_string(dates[index], unit="D"),
                "location_key": locations["key"].reindex(location_ids[index]).to_numpy(),
                "location_name": locations["name"].reindex(location_ids[index]).to_numpy(),
                "metric": metrics["code"].reindex(metric_ids[index]).to_numpy(),
                "value": values[index].astype("float64"),
                "source": sources["name"].reindex(source_ids[index]).to_numpy(),
            }
        )
