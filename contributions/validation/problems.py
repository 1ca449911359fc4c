"""The problems a validation finds: grouped entries for the report, one line per row for the CSV."""

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from ..contracts import Problem, Severity
from ..parsing import problem
from ..texts import Params, Text

MAX_REPORTED_PER_CODE = 200
MAX_DISTINCT = 200  # distinct unknown names, bad dates... reported one by one
PROBLEM_COLUMNS = ["row", "sheet", "severity", "code", "column", "value", "message"]
TEXT_COLUMNS = ["msgid", "params"]  # the message's msgid and params (contributions.texts), "" and None without


class Problems:
    """Collects problems: grouped ones for the report and one line per affected row for the CSV."""

    def __init__(self) -> None:
        self.entries: list[Problem] = []
        self.single: list[Problem] = []  # one affected row each (or none)
        self.grouped: list[tuple[Problem, list[int], list[str] | None]] = []  # (entry, rows, their CSV messages)
        self.distinct: dict[str, int] = {}
        self.overflow: dict[tuple[str, Severity], list[np.ndarray]] = {}
        self.row_parts: list[pd.DataFrame] = []

    def add(self, entry: Problem, rows: Iterable[int] | None = None, *, row_messages: list[str] | None = None) -> None:
        """One problem; `rows` (sequence of ints) when it stands for several source rows, and then
        `row_messages` the message of each row's CSV line when the entry's own is too long to repeat."""
        if rows is not None:
            listed = [int(r) for r in rows]
            entry["rows"] = listed[:50]
            entry["row_count"] = len(listed)
            entry["row"] = listed[0] if listed else entry.get("row")
            self.grouped.append((entry, listed, row_messages))
        else:
            self.single.append(entry)
        self.entries.append(entry)

    def add_note(self, entry: Problem, rows: np.ndarray) -> None:
        """A warning that stands for several rows whose values were taken (added into a place above):
        the report has its first rows and their number, the CSV of rows with a problem one line."""
        entry["rows"] = [int(r) for r in rows[:50]]
        entry["row_count"] = len(rows)
        entry["row"] = int(rows[0]) if len(rows) else entry.get("row")
        self.single.append(entry)
        self.entries.append(entry)

    def rows_per_sheet(self, code: str) -> dict[str, int]:
        """How many rows of each sheet have a problem given row by row (add_rows, add_records)."""
        counts: dict[str, int] = {}
        for part in self.row_parts:
            if len(part) and part["code"].iloc[0] == code:
                for sheet, n in part["sheet"].value_counts(sort=False).items():
                    counts[str(sheet)] = counts.get(str(sheet), 0) + int(n)
        return counts

    def over_cap(self, code: str, severity: Severity, rows: Sequence[int] | np.ndarray) -> bool:
        """True (and the rows kept for one summary) once MAX_DISTINCT distinct values had this problem:
        a file with a million different bad names must not cost a million report entries."""
        self.distinct[code] = self.distinct.get(code, 0) + 1
        if self.distinct[code] <= MAX_DISTINCT:
            return False
        self.overflow.setdefault((code, severity), []).append(np.asarray(rows, dtype="int64"))
        return True

    def flush(self) -> None:
        for (code, severity), parts in self.overflow.items():
            rows = np.unique(np.concatenate(parts))
            self.add(
                problem(
                    code,
                    Text.ngettext(
                        "... and %(values)s more distinct value with this problem (number of rows: %(rows)s); "
                        "fix the ones above first.",
                        "... and %(values)s more distinct values with this problem (%(rows)s rows); "
                        "fix the ones above first.",
                        len(parts),
                        values=f"{len(parts):,}",
                        rows=f"{len(rows):,}",
                    ),
                    severity=severity,
                ),
                rows=rows,
            )
        self.overflow = {}

    def add_rows(
        self,
        code: str,
        severity: Severity,
        message: str | list[str],
        frame: pd.DataFrame,
        *,
        column: str | None = None,
        value_column: str = "raw_value",
    ) -> None:
        """One problem per row of `frame` (vectorised): frame has row, sheet and the raw value. A cell
        met twice (a row also counted in the total of the place above it) is reported once. `message`:
        one for every row, or one per row (contributions.texts.Text, to be shown in any language)."""
        if frame.empty:
            return
        keys = frame[["row", "sheet", value_column, *(["column"] if column is None else [])]].astype(str)
        if not isinstance(message, str):
            keys = keys.assign(message=[str(m) for m in message])
        repeated = keys.duplicated().to_numpy()
        if repeated.any():
            frame = frame[~repeated]
            message = (
                message if isinstance(message, str) else [m for m, r in zip(message, repeated, strict=True) if not r]
            )
        self.add_records(
            code,
            severity,
            rows=frame["row"].tolist(),
            sheets=frame["sheet"].astype(str).tolist(),
            columns=frame["column"].astype(str).tolist() if column is None else [column] * len(frame),
            values=frame[value_column].astype(str).str.slice(0, 200).tolist(),
            messages=[message] * len(frame) if isinstance(message, str) else message,
        )

    def add_records(
        self,
        code: str,
        severity: Severity,
        *,
        rows: list[int],
        sheets: list[str],
        columns: list[str],
        values: list[str],
        messages: list[str] | None = None,
        msgid: str = "",
        params: list[Params] | None = None,
    ) -> None:
        """One problem per source row, given as lists of the same length: `messages` (a Text per row, or
        plain English), or one `msgid` with the `params` of each row (plain text values, no plural; a
        Text is then made only for the rows the report lists: thousands of warnings cost a dict each)."""
        if not rows:
            return
        rows_params: list[Params | None]
        if params is not None:
            messages = [msgid % row_params for row_params in params]
            msgids, rows_params = [msgid] * len(rows), list(params)
            texts: list[str] = [Text(msgid, **row_params) for row_params in params[:MAX_REPORTED_PER_CODE]]
        else:
            assert messages is not None, "add_records needs messages, or a msgid with params"
            msgids = [getattr(m, "msgid", "") for m in messages]
            rows_params = [getattr(m, "params", None) for m in messages]
            texts = messages
        self.row_parts.append(
            pd.DataFrame(
                {
                    "row": pd.array(rows, dtype="Int64"),
                    "sheet": sheets,
                    "severity": severity,
                    "code": code,
                    "column": columns,
                    "value": values,
                    "message": [str(m) for m in messages],
                    "msgid": msgids,
                    "params": rows_params,
                }
            )
        )
        head = slice(0, MAX_REPORTED_PER_CODE)
        for row, sheet, column, value, text in zip(
            rows[head], sheets[head], columns[head], values[head], texts[head], strict=True
        ):
            self.entries.append(
                problem(code, text, severity=severity, row=int(row), column=column, value=value, sheet=sheet or None)
            )
        if len(rows) > MAX_REPORTED_PER_CODE:
            self.entries.append(
                {
                    **problem(
                        code,
                        Text(
                            gettext_noop("%(count)s rows in all have this problem; the first %(listed)s are listed."),
                            count=f"{len(rows):,}",
                            listed=MAX_REPORTED_PER_CODE,
                        ),
                        severity=severity,
                    ),
                    "row_count": len(rows),
                    "summary": True,
                }
            )

    def frame(self) -> pd.DataFrame:
        parts = list(self.row_parts)
        if self.single:
            parts.append(pd.DataFrame(self.single).reindex(columns=[*PROBLEM_COLUMNS, *TEXT_COLUMNS]))
        if self.grouped:
            # One line per row of each entry: the entry's fields repeated (no dict per row).
            counts = [len(rows) or 1 for _, rows, _ in self.grouped]  # an entry without rows still gets a line
            part = pd.DataFrame(
                {
                    column: np.repeat(np.array([e.get(column) for e, _, _ in self.grouped], dtype=object), counts)
                    for column in PROBLEM_COLUMNS
                    if column not in ("row", "message")
                }
            )
            no_row: list[int | None] = [None]
            part["row"] = [r for _, rows, _ in self.grouped for r in (rows or no_row)]
            texts = [
                m
                for e, rows, messages in self.grouped
                for m in (messages if messages is not None else [_entry_text(e)] * (len(rows) or 1))
            ]
            part["message"] = [str(m) for m in texts]
            part["msgid"] = [getattr(m, "msgid", "") for m in texts]
            part["params"] = [getattr(m, "params", None) for m in texts]
            parts.append(part[[*PROBLEM_COLUMNS, *TEXT_COLUMNS]])
        columns = [*PROBLEM_COLUMNS, *TEXT_COLUMNS]
        if not parts:
            return pd.DataFrame(columns=columns)
        out = (
            pd.concat([p for p in parts if not p.empty], ignore_index=True)
            if any(not p.empty for p in parts)
            else pd.DataFrame(columns=columns)
        )
        out = out[columns]
        out["row"] = out["row"].astype("Int64")
        for column in ("sheet", "column", "value", "msgid"):
            text = out[column].astype(object)  # an all-empty column arrives as float64: "" would not fit it
            out[column] = text.where(text.notna(), "").astype(str)
        return out

    @property
    def has_errors(self) -> bool:
        return any(e["severity"] == "error" for e in self.entries)


def _entry_text(entry: Problem) -> str:
    """An entry's message as a Text when it has a msgid (its CSV lines are then shown in any language)."""
    if entry.get("msgid"):
        made = Text(entry["msgid"], **entry.get("params", {}))
        if made == entry["message"]:
            return made
    return entry["message"]


def rows_by_code(codes: np.ndarray, rows: np.ndarray) -> dict[int, np.ndarray]:
    """Source rows grouped by factorize code, computed once instead of one mask per code."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    bounds = np.flatnonzero(np.diff(sorted_codes)) + 1
    groups = np.split(rows[order], bounds)
    keys: np.ndarray | list[int] = sorted_codes[np.concatenate(([0], bounds))] if len(sorted_codes) else []
    return dict(zip((int(k) for k in keys), groups, strict=False))
