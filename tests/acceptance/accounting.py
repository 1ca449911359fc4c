"""Where every number of a real file went: taken, or left out with the reason the report gives.

Counted from the file itself (pandas) and the submission's report: the non-empty numeric cells of the
file, less the columns that hold no figure (a date written as a number, a code, a coordinate: each
journey names them), are split into the values taken and the values left out, per reason.
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
    cells: int = 0  # the file's non-empty numeric cells that hold figures
    taken: int = 0  # of them, in the value columns of the rows and sheets read: what the dataset should get
    left_out: Counter = field(default_factory=Counter)  # reason -> cells
    unexplained: dict[str, int] = field(default_factory=dict)  # "sheet/column" -> cells neither taken nor named
    rows_filtered: int = 0  # rows the volunteer's row filter leaves out
    sheets_not_read: dict[str, str] = field(default_factory=dict)  # sheet -> the report's reason ("" if none)

    def reasons(self) -> str:
        said = [f"{reason}: {cells:,}" for reason, cells in self.left_out.most_common()]
        if self.unexplained:
            columns = len(self.unexplained)
            said.append(f"**not named in the report: {sum(self.unexplained.values()):,} ({columns} columns)**")
        return ", ".join(said) or "none"


def named_columns(report: dict) -> dict[str, str]:
    """column -> the code of the first problem that names it (what the report says about a column)."""
    named: dict[str, str] = {}
    for entry in report.get("problems") or []:
        if entry.get("column"):
            named.setdefault(str(entry["column"]), entry["code"])
    return named


def sheet_reasons(report: dict) -> dict[str, str]:
    """Sheet -> why its values were not read, for every sheet the report says it did not read."""
    detected = report.get("detected") or {}
    reasons = {s["name"]: s.get("reason") or "" for s in detected.get("sheets") or [] if s.get("read") is False}
    reasons.update({s["name"]: s.get("reason") or "" for s in detected.get("skipped_sheets") or []})
    return reasons


def account(journey: Journey, report: dict, metric_like: set[str] | frozenset[str] = frozenset()) -> Accounting:
    """`metric_like`: the columns an earlier report said look like a metric we did not take. Left out
    by the mapping, such a column must still be named in the report unless the volunteer chose to
    ignore it: the page's first answer is not the volunteer's choice."""
    result = Accounting()
    named = named_columns(report)
    chosen = set(journey.choices.roles) if journey.choices else set()
    ignored = {
        column
        for column in (report.get("mapping") or {}).get("ignore") or []
        if column not in metric_like or column in chosen
    }
    not_read = sheet_reasons(report)
    for name, frame in journey.sheets().items():
        figures = {
            column: numeric(frame[column]).notna()
            for column in frame.columns
            if column not in journey.not_figures and column != journey.date_column
        }
        figures = {column: cells for column, cells in figures.items() if cells.any()}
        result.cells += sum(int(cells.sum()) for cells in figures.values())
        if journey.sheet is not None and name != journey.sheet:
            result.sheets_not_read[name] = not_read.get(name, "")
            result.left_out["sheet not read"] += sum(int(cells.sum()) for cells in figures.values())
            continue
        kept = journey.kept_rows(frame)
        result.rows_filtered += int((~kept).sum())
        result.left_out[f"{ROW_FILTER} (row filter)"] += sum(int((cells & ~kept).sum()) for cells in figures.values())
        for column, cells in figures.items():
            count = int((cells & kept).sum())
            if not count:
                continue
            if column in journey.value_columns:
                result.taken += count
            elif column in named:
                result.left_out[named[column]] += count
            elif column in ignored:
                result.left_out["column ignored on the mapping page"] += count
            else:
                result.unexplained[f"{name or journey.filename}/{column}"] = count
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
