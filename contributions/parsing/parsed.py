"""What parsing hands over (ParsedFile, its sheets, its problems) and what every reader shares:
the caps, a cell as text, and a table of strings turned into a sheet."""

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import gettext_noop

from ..contracts import Problem, Severity
from ..texts import Text

MAX_COLUMNS = 5_000
MAX_ROWS = 5_000_000
MAX_PROBLEMS_PER_CODE = 1_000


def problem(
    code: str,
    message: str,
    *,
    severity: Severity = "error",
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    sheet: str | None = None,
) -> Problem:
    """One entry of a report; JSON-serialisable. A `message` made with contributions.texts.text also
    stores its msgid and params, to be shown in the reader's language."""
    if value is not None:
        value = str(value)[:200]
    entry: Problem = {
        "severity": severity,
        "code": code,
        "message": str(message),
        "row": row,
        "column": column,
        "value": value,
        "sheet": sheet,
    }
    if isinstance(message, Text):
        entry["msgid"] = message.msgid
        if message.params:
            entry["params"] = dict(message.params)
    return entry


class Unreadable(Exception):
    """The file cannot be read at all; carries the problem to report."""

    def __init__(self, code: str, message: str, **kwargs: object) -> None:
        super().__init__(message)
        self.problem = problem(code, message, **kwargs)  # type: ignore[arg-type]


@dataclass
class Sheet:
    name: str
    header: list[str]
    frame: pd.DataFrame
    header_row: int = 1


@dataclass
class ParsedFile:
    filename: str = ""
    kind: str = ""  # csv, tsv, xlsx, json; "" when unreadable
    size: int = 0
    encoding: str = ""
    delimiter: str = ""
    decimal: str = "."
    thousands: str = ""
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)  # every sheet of a workbook, read or not

    @property
    def is_readable(self) -> bool:
        return bool(self.sheets) and not any(p["severity"] == "error" for p in self.problems)

    def detection(self) -> dict[str, Any]:
        """What was detected, for the report."""
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "thousands": self.thousands,
            "size": self.size,
            "sheets": [{"name": s.name, "rows": len(s.frame), "columns": s.header} for s in self.sheets],
            "sheet_names": self.sheet_names,
        }


def add_sheet(parsed: ParsedFile, name: str, header: list[str], frame: pd.DataFrame, header_row: int) -> None:
    """Name the columns, drop empty unnamed ones, refuse duplicate names, keep the sheet if it has rows."""
    frame.columns = range(len(header))
    keep = [i for i, h in enumerate(header) if h or (frame[i] != "").any()]
    header = [header[i] or f"column {i + 1}" for i in keep]
    frame = frame[keep]
    frame.columns = header
    seen, duplicates = set(), []
    for h in header:
        if h in seen and h not in duplicates:
            duplicates.append(h)
        seen.add(h)
    if duplicates:
        raise Unreadable(
            "duplicate_columns",
            Text(
                gettext_noop(
                    "These column names appear more than once: %(columns)s. Rename them so each column is distinct."
                ),
                columns=", ".join(repr(d) for d in duplicates[:10]),
            ),
            sheet=name or None,
            column=duplicates[0],
        )
    if len(frame) == 0 or not ((frame.head(100) != "").to_numpy().any() or (frame != "").to_numpy().any()):
        parsed.problems.append(
            problem(
                "no_data_rows",
                Text(gettext_noop("There is a header but no data rows."))
                if len(frame) == 0
                else Text(gettext_noop("All data rows are empty.")),
                sheet=name or None,
                severity="error",
            )
        )
        return
    parsed.sheets.append(Sheet(name=name, header=header, frame=frame, header_row=header_row))


def cell_text(value: object) -> str:
    """A cell as text: integers without '.0', dates as ISO, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)
