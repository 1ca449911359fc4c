"""Compare a normalised upload with the canonical dataset: what is new, what changes, what wins.

Contract (used by the upload task, the review pages and the API):

    compute_diff(frame, *, source) -> dict   (JSON-serialisable)

`frame` is `ValidationResult.frame` (location_id, location_key, metric_id, metric, date, value,
...); `source` is the `sources.models.Source` the upload is for (its `priority` is compared with
the priority of each value's current source). The canonical values are read set-wise: one query
per batch of up to BATCH location ids, restricted to the upload's metrics and date range, each
value as (key, value, source) with the key computed by the database (COPY on PostgreSQL), then
matched on the key in pandas; never one query per row.

    {"counts": {"total", "new", "changed", "unchanged"},
     "series": [{"location", "metric", "new", "changed", "unchanged", "first_date", "last_date"}...],
     "series_truncated": bool,
     "largest_changes": {"absolute": [change...], "relative": [change...]},
     "higher_priority": {"count": n (changed values whose current source outranks `source`),
                         "sources": [{"id", "name", "priority", "count"}], "examples": [change...]},
     "warnings": [{"severity": "warning", "code": "identical_to_canonical", "message", "count"}],
     "source": {"id", "name", "priority"}}

    change = {"location", "metric", "date", "old", "new", "delta", "relative", "old_source_id"}
"""
import io

import numpy as np
import pandas as pd
from django.db import connection

from dataset.models import Observation

from .validation import observation_keys

BATCH = 500
TOP = 20
MAX_SERIES = 2000
LOCATION_SHIFT, METRIC_SHIFT = 28, 20  # as validation.observation_keys


def _key_sql() -> str:
    """The SQL for observation_keys: location_id << 28 | metric_id << 20 | days since 1970."""
    if connection.vendor == "postgresql":
        return (f"((location_id::bigint << {LOCATION_SHIFT}) | (metric_id::bigint << {METRIC_SHIFT}) "
                "| (date - DATE '1970-01-01'))")
    return (f"((location_id << {LOCATION_SHIFT}) | (metric_id << {METRIC_SHIFT}) "
            "| CAST(julianday(date) - 2440587.5 AS INTEGER))")


def _read_canonical(location_ids, metric_ids, first, last, column="value") -> pd.DataFrame:
    """(key, column) of the current values for these locations and metrics between two dates.

    One query per BATCH locations; the key is computed by the database so that only two numbers
    per value travel (COPY on PostgreSQL)."""
    table = Observation._meta.db_table
    parts = []
    location_ids = sorted(int(i) for i in location_ids)
    metrics = [int(m) for m in metric_ids]
    for start in range(0, len(location_ids), BATCH):
        batch = location_ids[start:start + BATCH]
        marks = ", ".join(["%s"] * len(batch))
        metric_marks = ", ".join(["%s"] * len(metrics))
        # Only placeholders are interpolated (and the table name from the model).
        assert column in ("value", "source_id")
        sql = (f"SELECT {_key_sql()}, {column} FROM {table} WHERE location_id IN ({marks}) "  # noqa: S608
               f"AND metric_id IN ({metric_marks}) AND date >= %s AND date <= %s")
        params = [*batch, *metrics, first.isoformat(), last.isoformat()]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                parts.append(_copy_postgres(cursor, sql, params))
            else:
                parts.append(_fetch_sqlite(cursor, sql, params))
    return pd.concat(parts, ignore_index=True) if parts else _read_csv(b"")


def _fetch_sqlite(cursor, sql, params) -> pd.DataFrame:
    """Rows as numbers only (the key is computed by SQLite, so no date conversion per row)."""
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    if not rows:
        return _read_csv(b"")
    array = np.array(rows, dtype="float64")
    return pd.DataFrame({"key": array[:, 0].astype("int64"), "other": array[:, 1]})


def _read_csv(data: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not data:
        return pd.DataFrame({"key": pd.Series(dtype="int64"), "other": pd.Series(dtype="float64")})
    table = pacsv.read_csv(
        pa.BufferReader(data), read_options=pacsv.ReadOptions(column_names=["key", "other"]),
        convert_options=pacsv.ConvertOptions(column_types={"key": pa.int64(), "other": pa.float64()}))
    return table.to_pandas()


def _copy_postgres(cursor, sql, params) -> pd.DataFrame:
    """COPY (query) TO STDOUT as CSV, read back with pyarrow: far faster than fetching tuples."""
    buffer = io.BytesIO()
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        for block in copy:
            buffer.write(block)
    return _read_csv(buffer.getvalue())


def _change_records(frame: pd.DataFrame) -> list[dict]:
    return [
        {"location": r.location_key, "metric": r.metric, "date": r.date.strftime("%Y-%m-%d"), "old": float(r.old),
         "new": float(r.value), "delta": float(r.delta),
         "relative": None if not np.isfinite(r.relative) else round(float(r.relative), 6),
         "old_source_id": int(r.old_source_id)}
        for r in frame.itertuples(index=False)
    ]


def compute_diff(frame: pd.DataFrame, *, source) -> dict:
    """The diff of a normalised upload against the canonical dataset (see the module docstring)."""
    from sources.models import Source

    priority = int(getattr(source, "priority", 0) or 0)
    result = {
        "counts": {"total": int(len(frame)), "new": 0, "changed": 0, "unchanged": 0},
        "series": [], "series_truncated": False,
        "largest_changes": {"absolute": [], "relative": []},
        "higher_priority": {"count": 0, "sources": [], "examples": []},
        "warnings": [],
        "source": {"id": getattr(source, "pk", None), "name": str(source) if source is not None else "",
                   "priority": priority},
    }
    if frame.empty:
        return result
    keys = observation_keys(frame)
    scope = (pd.unique(frame["location_id"]), pd.unique(frame["metric_id"]), frame["date"].min().date(),
             frame["date"].max().date())
    canonical = _read_canonical(*scope)
    position = pd.Index(canonical["key"].to_numpy()).get_indexer(keys) if len(canonical) else \
        np.full(len(frame), -1)
    known = position >= 0
    old = np.where(known, canonical["other"].to_numpy()[np.maximum(position, 0)] if len(canonical) else np.nan,
                   np.nan)
    value = frame["value"].to_numpy()
    same = known & (np.abs(value - np.nan_to_num(old)) <= 1e-9)
    changed = known & ~same
    result["counts"].update(new=int((~known).sum()), changed=int(changed.sum()), unchanged=int(same.sum()))

    series = _series_fast(frame, ~known, changed, same)
    result["series_truncated"] = len(series) > MAX_SERIES
    result["series"] = series.head(MAX_SERIES).to_dict("records")

    if changed.any():
        # Where a value changes, whose is it now? (Read only when something changes.)
        changed_frame = frame[changed]
        owners = _read_canonical(pd.unique(changed_frame["location_id"]), pd.unique(changed_frame["metric_id"]),
                                 changed_frame["date"].min().date(), changed_frame["date"].max().date(),
                                 column="source_id")
        owner_at = pd.Index(owners["key"].to_numpy()).get_indexer(keys[changed])
        source_ids = owners["other"].to_numpy()[owner_at].astype("int64")
        changes = frame.loc[changed, ["location_key", "metric", "date", "value"]].assign(
            old=old[changed], old_source_id=source_ids)
        changes["delta"] = changes["value"] - changes["old"]
        with np.errstate(divide="ignore", invalid="ignore"):
            changes["relative"] = np.where(changes["old"] != 0, changes["delta"] / changes["old"].abs(), np.inf)
        result["largest_changes"]["absolute"] = _change_records(
            changes.reindex(changes["delta"].abs().sort_values(ascending=False).index[:TOP]))
        finite = changes[np.isfinite(changes["relative"])]
        result["largest_changes"]["relative"] = _change_records(
            finite.reindex(finite["relative"].abs().sort_values(ascending=False).index[:TOP]))
        sources = dict(Source.objects.filter(pk__in=[int(i) for i in np.unique(source_ids)]).values_list(
            "pk", "priority"))
        outranked = changes[changes["old_source_id"].map(sources).fillna(0).to_numpy() > priority]
        if not outranked.empty:
            counts = outranked.groupby("old_source_id").size()
            names = dict(Source.objects.filter(pk__in=[int(i) for i in counts.index]).values_list("pk", "name"))
            result["higher_priority"] = {
                "count": int(len(outranked)),
                "sources": [{"id": int(pk), "name": names.get(int(pk), ""), "priority": int(sources[int(pk)]),
                             "count": int(n)} for pk, n in counts.sort_values(ascending=False).items()],
                "examples": _change_records(outranked.head(TOP)),
            }
    if result["counts"]["unchanged"]:
        n = result["counts"]["unchanged"]
        everything = n == len(frame)
        result["warnings"].append({
            "severity": "warning", "code": "identical_to_canonical", "count": n,
            "message": ("Every value is already in the dataset with the same figure: this upload changes nothing."
                        if everything else f"{n:,} of {len(frame):,} values are identical to the canonical ones."),
        })
    return result


def _series_fast(frame: pd.DataFrame, new, changed, unchanged) -> pd.DataFrame:
    """Counts of new / changed / unchanged values and the date range per location and metric."""
    flags = pd.DataFrame({
        "location_id": frame["location_id"].to_numpy(), "metric_id": frame["metric_id"].to_numpy(),
        "date": frame["date"].to_numpy(), "new": new, "changed": changed, "unchanged": unchanged})
    grouped = flags.groupby(["location_id", "metric_id"], sort=False)
    out = grouped[["new", "changed", "unchanged"]].sum()
    out["first_date"] = grouped["date"].min().dt.strftime("%Y-%m-%d")
    out["last_date"] = grouped["date"].max().dt.strftime("%Y-%m-%d")
    names = frame.drop_duplicates(["location_id", "metric_id"]).set_index(["location_id", "metric_id"])
    out["location"] = names["location_key"].astype(str).reindex(out.index)
    out["metric"] = names["metric"].astype(str).reindex(out.index)
    out = out.sort_values(["location", "metric"]).reset_index(drop=True)
    for column in ("new", "changed", "unchanged"):
        out[column] = out[column].astype(int)
    return out[["location", "metric", "new", "changed", "unchanged", "first_date", "last_date"]]
