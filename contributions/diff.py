"""Compare a normalised upload with the canonical dataset: what is new, what changes, what wins.

Contract (used by the upload task, the review pages and the API):

    compute_diff(frame, *, source) -> dict   (JSON-serialisable)

`frame` is `ValidationResult.frame` (location_id, location_key, metric_id, metric, date, value,
...); `source` is the `sources.models.Source` the upload is for (its `priority` is compared with
the priority of each value's current source). The canonical values are read set-wise: one query
per batch of up to BATCH location ids, restricted to the upload's metrics and date range (COPY on
PostgreSQL), then joined in pandas; never one query per row.

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

BATCH = 500
TOP = 20
MAX_SERIES = 2000


def _read_canonical(location_ids, metric_ids, first, last) -> pd.DataFrame:
    """Current values for these locations and metrics between two dates, with their source's priority."""
    columns = ["location_id", "metric_id", "date", "old", "old_source_id", "old_priority"]
    parts = []
    location_ids = sorted(int(i) for i in location_ids)
    for start in range(0, len(location_ids), BATCH):
        qs = Observation.objects.filter(
            location_id__in=location_ids[start:start + BATCH], metric_id__in=[int(m) for m in metric_ids],
            date__gte=first, date__lte=last,
        ).values_list("location_id", "metric_id", "date", "value", "source_id", "source__priority")
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                parts.append(_copy_postgres(cursor, sql, params, columns))
            else:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
                if rows:
                    parts.append(pd.DataFrame.from_records(rows, columns=columns))
    if not parts:
        return pd.DataFrame({"location_id": pd.Series(dtype="int64"), "metric_id": pd.Series(dtype="int64"),
                             "date": pd.Series(dtype="datetime64[s]"), "old": pd.Series(dtype="float64"),
                             "old_source_id": pd.Series(dtype="int64"), "old_priority": pd.Series(dtype="int64")})
    canonical = pd.concat(parts, ignore_index=True)
    canonical["date"] = pd.to_datetime(canonical["date"].astype(str), format="%Y-%m-%d").astype("datetime64[s]")
    return canonical.astype({"location_id": "int64", "metric_id": "int64", "old": "float64",
                             "old_source_id": "int64", "old_priority": "int64"})


def _copy_postgres(cursor, sql, params, columns) -> pd.DataFrame:
    """COPY (query) TO STDOUT as CSV, read back with pyarrow: far faster than fetching tuples."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw = cursor.connection.cursor() if hasattr(cursor, "connection") else cursor
    query = raw.mogrify(sql, params) if hasattr(raw, "mogrify") else sql
    buffer = io.BytesIO()
    with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        for block in copy:
            buffer.write(block)
    if buffer.tell() == 0:
        return pd.DataFrame(columns=columns)
    table = pacsv.read_csv(
        pa.BufferReader(buffer.getvalue()), read_options=pacsv.ReadOptions(column_names=columns),
        convert_options=pacsv.ConvertOptions(column_types={"date": pa.string()}))
    return table.to_pandas()


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
    keys = ["location_id", "metric_id", "date"]
    upload = frame[keys + ["location_key", "metric", "value"]]
    canonical = _read_canonical(upload["location_id"].unique(), upload["metric_id"].unique(),
                                upload["date"].min().date(), upload["date"].max().date())
    merged = upload.merge(canonical, on=keys, how="left", sort=False)
    known = merged["old"].notna()
    same = known & np.isclose(merged["value"].to_numpy(), merged["old"].fillna(np.nan).to_numpy(), rtol=0, atol=1e-9)
    changed = known & ~same
    status = np.select([~known, same], ["new", "unchanged"], default="changed")
    result["counts"].update(new=int((~known).sum()), changed=int(changed.sum()), unchanged=int(same.sum()))

    series = _series_fast(merged, status)
    result["series_truncated"] = len(series) > MAX_SERIES
    result["series"] = [
        {"location": loc, "metric": metric, "new": int(r.new), "changed": int(r.changed),
         "unchanged": int(r.unchanged), "first_date": r.first_date.strftime("%Y-%m-%d"),
         "last_date": r.last_date.strftime("%Y-%m-%d")}
        for (loc, metric), r in series.head(MAX_SERIES).iterrows()
    ]

    changes = merged[changed].copy()
    if not changes.empty:
        changes["delta"] = changes["value"] - changes["old"]
        changes["relative"] = np.where(changes["old"] != 0, changes["delta"] / changes["old"].abs(), np.inf)
        result["largest_changes"]["absolute"] = _change_records(
            changes.reindex(changes["delta"].abs().sort_values(ascending=False).index[:TOP]))
        finite = changes[np.isfinite(changes["relative"])]
        result["largest_changes"]["relative"] = _change_records(
            finite.reindex(finite["relative"].abs().sort_values(ascending=False).index[:TOP]))
        outranked = changes[changes["old_priority"] > priority]
        if not outranked.empty:
            counts = outranked.groupby("old_source_id").size()
            names = dict(Source.objects.filter(pk__in=[int(i) for i in counts.index]).values_list("pk", "name"))
            priorities = outranked.groupby("old_source_id")["old_priority"].first()
            result["higher_priority"] = {
                "count": int(len(outranked)),
                "sources": [{"id": int(pk), "name": names.get(int(pk), ""), "priority": int(priorities[pk]),
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


def _series_fast(merged: pd.DataFrame, status: np.ndarray) -> pd.DataFrame:
    """Counts of new / changed / unchanged values and the date range per location and metric."""
    flags = pd.DataFrame({
        "location_key": merged["location_key"], "metric": merged["metric"], "date": merged["date"],
        "new": status == "new", "changed": status == "changed", "unchanged": status == "unchanged"})
    grouped = flags.groupby(["location_key", "metric"], sort=True)
    out = grouped[["new", "changed", "unchanged"]].sum()
    out["first_date"] = grouped["date"].min()
    out["last_date"] = grouped["date"].max()
    return out
