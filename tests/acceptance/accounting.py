"""Where every number of a real file went: taken, or left out with the reason the report gives.

Counted from the file itself (pandas) and the submission's report: the non-empty numeric cells of the
file (but its date column) are split into the values taken and the values left out, each with the
reason the report gives (a problem naming the column, or the sheet's list of the columns it left out;
a date written again as a number, an hour or a code is left out too, and named).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .journeys import Journey, Sample, dates, numeric

ROW_FILTER = "rows_not_kept"


@dataclass
class Accounting:
    cells: int = 0  # the file's non-empty numeric cells, but the date column's
    taken: int = 0  # of them, in the value columns of the rows and sheets read: what the dataset should get
    left_out: Counter = field(default_factory=Counter)  # reason -> cells
    unexplained: dict[str, int] = field(default_factory=dict)  # "sheet/column" -> cells neither taken nor named
    miscounted: dict[str, tuple[int, int]] = field(default_factory=dict)  # "sheet/column" -> (report's, file's)
    rows_filtered: int = 0  # rows the volunteer's row filter leaves out
    sheets_not_read: dict[str, str] = field(default_factory=dict)  # sheet -> the report's reason ("" if none)

    def reasons(self) -> str:
        said = [f"{reason}: {cells:,}" for reason, cells in self.left_out.most_common()]
        if self.unexplained:
            columns = len(self.unexplained)
            said.append(f"**not named in the report: {sum(self.unexplained.values()):,} ({columns} columns)**")
        return ", ".join(said) or "none"


@dataclass
class Named:
    """What the report says about a column it did not take: why, and how many values (if it says)."""

    reason: str
    values: int | None


def named_columns(report: dict, sheet: str) -> dict[str, Named]:
    """column -> what the report says about it in this sheet: a problem naming the column (its code), or
    the sheet's list of the columns its plan left out (their reason)."""
    named: dict[str, Named] = {}
    for entry in report.get("problems") or []:
        if entry.get("column") and (entry.get("sheet") or "") in ("", sheet):
            named.setdefault(str(entry["column"]), Named(entry["code"], entry.get("row_count")))
    for described in (report.get("detected") or {}).get("sheets") or []:
        if (described.get("name") or "") != sheet:
            continue
        for entry in described.get("left_out") or []:
            if entry.get("column"):
                named.setdefault(str(entry["column"]), Named(str(entry.get("reason") or ""), entry.get("values")))
    return named


def sheet_reasons(report: dict) -> dict[str, str]:
    """Sheet -> why its values were not read, for every sheet the report says it did not read."""
    detected = report.get("detected") or {}
    reasons = {s["name"]: s.get("reason") or "" for s in detected.get("sheets") or [] if s.get("read") is False}
    reasons.update({s["name"]: s.get("reason") or "" for s in detected.get("skipped_sheets") or []})
    return reasons


def account(journey: Journey, report: dict) -> Accounting:
    result = Accounting()
    not_read = sheet_reasons(report)
    for name, frame in journey.sheets().items():
        figures = {column: numeric(frame[column]).notna() for column in frame.columns if column != journey.date_column}
        figures = {column: cells for column, cells in figures.items() if cells.any()}
        result.cells += sum(int(cells.sum()) for cells in figures.values())
        if journey.sheet is not None and name != journey.sheet:
            result.sheets_not_read[name] = not_read.get(name, "")
            result.left_out["sheet not read"] += sum(int(cells.sum()) for cells in figures.values())
            continue
        kept = journey.kept_rows(frame)
        result.rows_filtered += int((~kept).sum())
        result.left_out[f"{ROW_FILTER} (row filter)"] += sum(int((cells & ~kept).sum()) for cells in figures.values())
        named = named_columns(report, name)
        for column, cells in figures.items():
            count = int((cells & kept).sum())
            where = f"{name or journey.filename}/{column}"
            if not count:
                continue
            if column in journey.value_columns:
                result.taken += count
            elif column in named:
                said = named[column]
                result.left_out[said.reason] += count
                if said.values is not None and said.values != count:
                    result.miscounted[where] = (said.values, count)
            else:
                result.unexplained[where] = count
    result.left_out = Counter({reason: cells for reason, cells in result.left_out.items() if cells})
    return result


def filtered_rows_in_report(report: dict) -> int:
    return sum(int(e.get("row_count") or 0) for e in report.get("problems") or [] if e["code"] == ROW_FILTER)


# --- the sample compared with the dataset ----------------------------------------------------------


def expected_sample(journey: Journey) -> list[tuple[str, str, dt.date, float, str]]:
    """(location key, metric, date, value, where in the file) for each sample: the first, a middle and
    the last date with a value, read from the file."""
    frame = journey.sheets()[journey.sheet or ""]
    frame = frame[journey.kept_rows(frame)]
    wanted = []
    for sample in journey.samples:
        wanted.extend(_sample_values(journey, frame, sample))
    return wanted


def _sample_values(journey: Journey, frame: pd.DataFrame, sample: Sample) -> list:
    rows = frame if sample.place_column is None else frame[frame[sample.place_column].str.strip() == sample.place]
    assert len(rows), f"{journey.filename} has no rows of {sample.place}"
    when = dates(rows[journey.date_column], journey.date_format)
    found = []
    for column, metric in sample.columns.items():
        values = numeric(rows[column])
        present = values.notna() & when.notna()
        assert present.any(), f"{journey.filename}: {column} of {sample.place} has no value"
        picked = values[present]
        for index in dict.fromkeys([picked.index[0], picked.index[len(picked) // 2], picked.index[-1]]):
            where = f"{sample.place}, {column}, row {index + 2}"
            found.append((sample.key, metric, when[index], float(values[index]), where))
    return found
