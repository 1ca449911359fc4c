"""What a submission's page shows from its report: grouped problems, a preview, the problems CSV."""
import csv
import io
from collections import OrderedDict

import pandas as pd
from django.core.files.storage import default_storage

SHOWN_PER_GROUP = 5
CSV_COLUMNS = ["severity", "code", "sheet", "row", "column", "value", "message"]


def grouped_problems(report: dict) -> list[dict]:
    """Problems grouped by code, errors first, each group with its count and first few examples."""
    groups: OrderedDict[tuple, dict] = OrderedDict()
    problems = sorted(report.get("problems", []), key=lambda p: (p.get("severity") != "error", p.get("code", "")))
    for problem in problems:
        key = (problem.get("severity", "error"), problem.get("code", ""))
        group = groups.setdefault(key, {"severity": key[0], "code": key[1], "count": 0, "examples": []})
        group["count"] += 1
        if len(group["examples"]) < SHOWN_PER_GROUP:
            group["examples"].append(problem)
    for group in groups.values():
        declared = report.get("counts", {}).get(group["code"])
        if isinstance(declared, int) and declared > group["count"]:
            group["count"] = declared  # the report may list only the first N of a very common problem
    return list(groups.values())


def preview_rows(submission, limit: int = 20) -> list[dict]:
    """The first normalised rows, as they would be merged."""
    if not submission.normalised_path or not default_storage.exists(submission.normalised_path):
        return []
    with default_storage.open(submission.normalised_path, "rb") as handle:
        frame = pd.read_parquet(handle)
    columns = [c for c in ("location_key", "metric", "date", "value", "row", "sheet") if c in frame.columns]
    frame = frame[columns].head(limit).copy()
    if "date" in frame:
        frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    return frame.to_dict("records")


def _escape(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def error_rows_csv(submission):
    """Every problem as a CSV row (row, column, value, message), streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for problem in submission.report.get("problems", []):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_escape(problem.get(column)) for column in CSV_COLUMNS])
        yield buffer.getvalue()
