"""What a submission's page shows from its report: grouped problems, a preview, the problems CSV."""

import csv
import io
import json
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation

from common.spreadsheets import escape_formula
from common.storage import local_copy

from .contracts import ValidationReport
from .models import Submission
from .parsing import ParsedFile
from .texts import dumps_lines, line_text, reason_text, translated

SHOWN_PER_GROUP = 5
CSV_COLUMNS = ["severity", "code", "sheet", "row", "column", "value", "message"]


def grouped_problems(report: ValidationReport | dict[str, Any]) -> list[dict[str, Any]]:
    """Problems grouped by code, errors first, each group with its count and first few examples
    (their `message` in the active language: the row, column and value stay as in the file)."""
    groups: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
    problems = sorted(report.get("problems", []), key=lambda p: (p.get("severity") != "error", p.get("code", "")))
    for problem in problems:
        key = (problem.get("severity", "error"), problem.get("code", ""))
        group = groups.setdefault(key, {"severity": key[0], "code": key[1], "count": 0, "examples": []})
        group["count"] += 1
        if len(group["examples"]) < SHOWN_PER_GROUP:
            group["examples"].append({**problem, "message": translated(problem)})
    for group in groups.values():
        declared = report.get("counts", {}).get(group["code"])
        if isinstance(declared, int) and declared > group["count"]:
            group["count"] = declared  # the report may list only the first N of a very common problem
    return list(groups.values())


def left_out_columns(report: ValidationReport | dict[str, Any]) -> list[dict[str, Any]]:
    """The columns holding values that were not taken (from each sheet's plan), with their number of
    values and why; a column left out in several sheets is one entry naming them. Biggest first."""
    columns: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for sheet in (report.get("detected") or {}).get("sheets") or []:
        for entry in sheet.get("left_out") or []:
            if not entry.get("values"):
                continue
            found = columns.setdefault(
                entry["column"],
                {
                    "column": entry["column"],
                    "values": 0,
                    "reason": reason_text(entry),
                    "on_purpose": bool(entry.get("on_purpose")),
                    "sheets": [],
                },
            )
            found["values"] += int(entry["values"])
            if sheet.get("name"):
                found["sheets"].append(sheet["name"])
    return sorted(columns.values(), key=lambda c: -c["values"])


def preview_rows(submission: Submission, limit: int = 20) -> list[dict[str, Any]]:
    """The first normalised rows, as they would be merged."""
    if not submission.normalised_path or not default_storage.exists(submission.normalised_path):
        return []
    with local_copy(submission.normalised_path) as path:  # a temporary copy when the store is remote
        parquet = pq.ParquetFile(path)
        wanted = ("location_key", "metric", "date", "value", "row", "sheet")
        columns = [c for c in wanted if c in parquet.schema_arrow.names]
        first = next(parquet.iter_batches(batch_size=limit, columns=columns), None)  # only the first rows
        parquet.close()
    if first is None:
        return []
    frame = first.to_pandas()[columns].head(limit).copy()
    if "date" in frame:
        frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    if "value" in frame:
        frame["value"] = frame["value"].map(lambda v: f"{v:.0f}" if float(v).is_integer() else f"{v:g}")
    records: list[dict[str, Any]] = frame.to_dict("records")
    return records


MAX_PROBLEM_ROWS = 100_000


def problem_rows_csv(parsed: ParsedFile, problems: pd.DataFrame) -> str:
    """The source rows that have a problem, as they were in the file, plus `sheet`, `row` and `error`.

    `problems` has one line per affected row (row, sheet, severity, code, column, value, message).
    Rows that are not in any sheet (file-level problems) are listed with empty cells.
    """
    if problems.empty:
        return ""
    messages = (
        problems.assign(
            text=problems["severity"].str.upper()
            + ": "
            + problems["message"].astype(str)
            + problems["column"].fillna("").astype(str).map(lambda c: f" [{c}]" if c else "")
        )
        .groupby(["sheet", "row"], dropna=False, sort=True)["text"]
        .agg(" | ".join)
    )
    header = ["sheet", "row"]
    columns: list[str] = []
    for sheet in parsed.sheets:
        columns += [c for c in sheet.header if c not in columns]
    header += [*columns, "error"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_formula(cell) for cell in header])
    frames = {sheet.name: sheet.frame for sheet in parsed.sheets}
    for (sheet_name, row), text in list(messages.items())[:MAX_PROBLEM_ROWS]:
        frame = frames.get(sheet_name if isinstance(sheet_name, str) else "")
        if frame is None and len(frames) == 1:
            frame = next(iter(frames.values()))
        cells = [""] * len(columns)
        if frame is not None and not pd.isna(row) and int(row) in frame.index:
            record = frame.loc[int(row)]
            cells = [escape_formula(record.get(c, "")) for c in columns]
        writer.writerow(
            [
                escape_formula(sheet_name if isinstance(sheet_name, str) else ""),
                "" if pd.isna(row) else int(row),
                *cells,
                escape_formula(text),
            ]
        )
    return buffer.getvalue()


def problem_rows_texts(problems: pd.DataFrame) -> list[list[list[Any]]]:
    """The `error` column of problem_rows_csv line by line in a form any language can show: for each
    line its problems as [severity, msgid, params, column, English message] (contributions.texts)."""
    if problems.empty or "msgid" not in problems or not (problems["msgid"] != "").any():
        return []
    parts = [
        [severity, msgid or "", params if isinstance(params, dict) else None, column or "", str(message)]
        for severity, msgid, params, column, message in zip(
            problems["severity"],
            problems["msgid"],
            problems["params"],
            problems["column"].fillna("").astype(str),
            problems["message"],
            strict=True,
        )
    ]
    lines = (
        problems[["sheet", "row"]]
        .assign(part=parts)
        .groupby(["sheet", "row"], dropna=False, sort=True)["part"]
        .agg(list)
    )
    kept: list[list[list[Any]]] = lines.tolist()[:MAX_PROBLEM_ROWS]
    return kept


def save_problem_texts(problems: pd.DataFrame, name: str) -> str | None:
    """Store problem_rows_texts as JSON next to the problems CSV; its storage path (None: nothing to store)."""
    lines = problem_rows_texts(problems)
    if not lines:
        return None
    return default_storage.save(name, ContentFile(dumps_lines(lines).encode("utf-8")))


def error_rows_csv(submission: Submission, language: str | None = None) -> Iterator[str]:
    """The rows with a problem and an `error` column (stored by the validation); else every problem.
    In a `language` other than English, the English messages stay and a column gives them in it."""
    local = bool(language) and not str(language).startswith("en")
    stored = submission.report.get("problems_csv")
    if stored and default_storage.exists(stored):
        texts = submission.report.get("problems_csv_texts")
        if local and texts and default_storage.exists(texts):
            yield from _with_translated_column(stored, texts, str(language))
            return
        with default_storage.open(stored, "rb") as handle:
            yield from (chunk.decode("utf-8") for chunk in iter(lambda: handle.read(65536), b""))
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*CSV_COLUMNS, *([f"message_{language}"] if local else [])])
    yield buffer.getvalue()
    for problem in submission.report.get("problems", []):
        buffer.seek(0)
        buffer.truncate()
        row = [escape_formula(problem.get(column)) for column in CSV_COLUMNS]
        if local:
            with translation.override(language):
                row.append(escape_formula(translated(problem)))
        writer.writerow(row)
        yield buffer.getvalue()


def _with_translated_column(stored: str, texts: str, language: str) -> Iterator[str]:
    """The stored problems CSV with one more column, `error_<language>`: its `error` column in the language."""
    with default_storage.open(texts, "rb") as handle:
        lines = json.load(handle)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with default_storage.open(stored, "rb") as handle, translation.override(language):
        reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8", newline=""))
        for number, row in enumerate(reader):
            buffer.seek(0)
            buffer.truncate()
            if number == 0:
                extra = f"error_{language}"
            else:
                extra = escape_formula(line_text(lines[number - 1])) if number - 1 < len(lines) else ""
            writer.writerow([*row, extra])
            yield buffer.getvalue()
