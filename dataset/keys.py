"""The observation key: one int64 per (location, metric, date), the same in NumPy and in SQL.

`location_id << LOCATION_SHIFT | metric_id << METRIC_SHIFT | days since 1970`, ordered like the
triple (dates are 2019-12-01 or later and never in the future: 16 bits hold days up to 2149), so
keys sorted are rows sorted by location, metric and date, and a series (one location and metric) is
a run of keys with the same `key >> METRIC_SHIFT`. Metric ids get 16 bits and location ids 31: a
metric id past its part would spill into the location's and make two places' keys equal (metric
ids grow each time the reference metrics are created again, as the test suite does hundreds of times).
Validation computes the keys of an upload's rows (contributions.validation), the snapshots those of
the canonical values in SQL (dataset/snapshots.py), and the diff compares the two.
"""

import numpy as np
import pandas as pd
from django.db import connection

LOCATION_SHIFT, METRIC_SHIFT = 32, 16
# Names the layout in what stores keys (the value snapshots' folder): another layout is never read.
KEY_LAYOUT = f"k{LOCATION_SHIFT}-{METRIC_SHIFT}"


def observation_keys(frame: pd.DataFrame) -> np.ndarray:
    """The keys of a frame's rows (columns location_id, metric_id and date)."""
    return key_array(frame["location_id"].to_numpy(), frame["metric_id"].to_numpy(), frame["date"].to_numpy())


def key_array(location_ids: np.ndarray, metric_ids: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """observation_keys of three arrays, with one scratch array (a million rows: each copy costs)."""
    keys = location_ids.astype("int64")
    keys <<= LOCATION_SHIFT
    scratch = metric_ids.astype("int64")
    scratch <<= METRIC_SHIFT
    keys |= scratch
    if dates.dtype == "datetime64[s]":  # whole days: integer division is several times faster than astype
        np.floor_divide(dates.view("int64"), 86400, out=scratch)
    else:
        scratch[:] = dates.astype("datetime64[D]").view("int64")
    keys |= scratch
    return keys


def keys_by_code(
    location_codes: np.ndarray,
    metric_codes: np.ndarray,
    date_codes: np.ndarray,
    location_table: np.ndarray,
    metric_table: np.ndarray,
    date_table: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """observation_keys of rows given as codes into per-code tables, and the scratch array used (free
    for reuse): each table's part of the key is made once per code, then one gather per table into
    the same array (unusable entries, -1 ids and NaT dates, are made harmless; callers never pick
    the rows that use them)."""
    location_part = np.maximum(location_table, 0).astype("int64") << LOCATION_SHIFT
    metric_part = np.maximum(metric_table, 0).astype("int64") << METRIC_SHIFT
    day_part = np.where(np.isnat(date_table), np.datetime64(0, "s"), date_table).astype("datetime64[D]").view("int64")
    keys = location_part[location_codes]
    scratch = np.take(metric_part, metric_codes, mode="clip")  # valid codes: "clip" skips the checks
    keys |= scratch
    keys |= np.take(day_part, date_codes, out=scratch, mode="clip")  # ("raise" would copy)
    return keys, scratch


def split_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days since 1970, location_ids, metric_ids) of observation keys, as new int64 arrays."""
    keys = np.asarray(keys)
    location_ids = keys >> LOCATION_SHIFT
    metric_ids = (keys >> METRIC_SHIFT) & ((1 << (LOCATION_SHIFT - METRIC_SHIFT)) - 1)
    return keys & ((1 << METRIC_SHIFT) - 1), location_ids, metric_ids


def key_parts(keys: np.ndarray, spares: list[np.ndarray]) -> dict[str, np.ndarray]:
    """location_id, metric_id and date (datetime64[s]) back from observation keys, written into
    `spares` (int64 arrays as long as `keys` that nothing uses any more) while there are some: fresh
    memory costs a page fault per page, reused memory does not."""

    def buffer() -> np.ndarray:
        return spares.pop() if spares else np.empty(len(keys), dtype="int64")

    location_ids = np.right_shift(keys, LOCATION_SHIFT, out=buffer())
    metric_ids = np.right_shift(keys, METRIC_SHIFT, out=buffer())
    metric_ids &= (1 << (LOCATION_SHIFT - METRIC_SHIFT)) - 1
    dates = np.bitwise_and(keys, (1 << METRIC_SHIFT) - 1, out=buffer())
    dates *= 86400
    return {"location_id": location_ids, "metric_id": metric_ids, "date": dates.view("datetime64[s]")}


def fits_metric_ids(largest_metric_id: int) -> bool:
    """Whether metric ids up to this one fit in their part of the key (then keys can be read back)."""
    return largest_metric_id < 1 << (LOCATION_SHIFT - METRIC_SHIFT)


def series_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Where each series (location and metric: key >> METRIC_SHIFT) begins in sorted keys."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.intp)
    change = sorted_keys[1:] ^ sorted_keys[:-1]
    change >>= METRIC_SHIFT
    return np.concatenate(([0], np.flatnonzero(change) + 1))


def key_sql(epoch_days: str) -> str:
    """SQL for the observation key of a row with location_id and metric_id columns; `epoch_days` is
    the SQL for its date's days since 1970 (dataset.exports.reading.epoch_days_sql)."""
    bigint = "::bigint" if connection.vendor == "postgresql" else ""
    return f"((location_id{bigint} << {LOCATION_SHIFT}) | (metric_id{bigint} << {METRIC_SHIFT}) | {epoch_days})"
