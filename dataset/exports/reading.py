"""Reading columns for the exports: SQL results as numpy arrays, dates as day numbers."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import connection

CHUNK_ROWS = 100_000


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
