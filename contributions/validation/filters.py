"""Rows left out of a sheet before its values are read, each counted in the report: those a row filter
does not keep (mapping key `keep_rows`) and totals rows with neither a date nor a place. And the few
distinct values of each column, which the mapping page offers as row filters."""

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from ..parsing import Sheet, problem
from ..texts import Text
from .context import Context, Plan

MAX_FILTER_VALUES = 50  # a column with more distinct values is not offered as a row filter (France's
# file names 35 publishers in source_nom)
PROBE_ROWS = 1_000  # rows looked at first: most columns show more than MAX_FILTER_VALUES values in them
CHUNK_ROWS = 200_000


def row_filter(ctx: Context) -> dict[str, list[str]]:
    """The mapping's `keep_rows` as {column: [values kept]}; a malformed one is a bad_mapping error,
    and a column that no sheet of the file has too."""
    given: Any = ctx.mapping.get("keep_rows") or {}
    if not isinstance(given, dict):
        ctx.problems.add(
            problem("bad_mapping", Text(gettext_noop("keep_rows must map a column to the list of values to keep.")))
        )
        return {}
    wanted: dict[str, list[str]] = {}
    for column, kept in given.items():
        values = [kept] if isinstance(kept, str | int | float) else kept
        if not isinstance(values, list) or not values:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(
                        gettext_noop("keep_rows: give the values of column %(column)s to keep, as a list."),
                        column=repr(column),
                    ),
                    column=str(column),
                )
            )
            continue
        wanted[str(column)] = [str(v).strip() for v in values]
    headers = {column for sheet in ctx.parsed.sheets for column in sheet.header}
    for column in [c for c in wanted if c not in headers]:
        ctx.problems.add(
            problem(
                "bad_mapping",
                Text(gettext_noop("keep_rows: the column %(column)s is not in the file."), column=repr(column)),
                column=column,
            )
        )
        del wanted[column]
    return wanted


def keep_rows(ctx: Context, sheet: Sheet, wanted: dict[str, list[str]]) -> Sheet:
    """The sheet with only the rows whose cells hold one of the kept values of every filtered column it
    has; the rows each column leaves out are counted (and listed) in one warning."""
    if not wanted:
        return sheet
    frame = sheet.frame
    keep = np.ones(len(frame), dtype=bool)
    for column, values in wanted.items():
        if column not in frame.columns:
            ctx.problems.add(
                problem(
                    "rows_not_kept",
                    Text(
                        gettext_noop(
                            "This sheet has no column %(column)s: the filter on it does not apply, every row is read."
                        ),
                        column=repr(column),
                    ),
                    severity="warning",
                    column=column,
                    sheet=sheet.name or None,
                )
            )
            continue
        cells = frame[column].astype("str").str.strip()
        matches = cells.isin(values).to_numpy(dtype=bool)
        dropped = keep & ~matches
        keep &= matches
        if not dropped.any():
            continue
        others = pd.unique(cells[dropped].to_numpy())
        shown = ", ".join(repr(v) for v in others[:10]) + (", ..." if len(others) > 10 else "")
        ctx.problems.add(
            problem(
                "rows_not_kept",
                Text(
                    gettext_noop(
                        "%(count)s row left out: the mapping keeps only the rows whose column %(column)s is "
                        "%(kept)s (these have %(shown)s)."
                    )
                    if int(dropped.sum()) == 1
                    else gettext_noop(
                        "%(count)s rows left out: the mapping keeps only the rows whose column %(column)s is "
                        "%(kept)s (these have %(shown)s)."
                    ),
                    count=f"{int(dropped.sum()):,}",
                    column=repr(column),
                    kept=" or ".join(repr(v) for v in values),
                    shown=shown,
                ),
                severity="warning",
                column=column,
                value=", ".join(values),
                sheet=sheet.name or None,
            ),
            rows=frame.index[dropped].tolist(),
        )
    if keep.all():
        return sheet
    return Sheet(name=sheet.name, header=sheet.header, frame=frame[keep], header_row=sheet.header_row)


def drop_totals_rows(ctx: Context, sheet: Sheet, plan: Plan) -> Sheet:
    """The sheet without rows that have neither a date nor a place (a workbook's =SUM() row under the
    data): no value of theirs could be stored, so they are named in a warning and left out."""
    if not plan.date_column or not plan.location_columns:
        return sheet
    columns = [plan.date_column, *plan.location_columns]
    frame = sheet.frame
    if any(c not in frame.columns for c in columns):
        return sheet
    blank = np.arange(len(frame))  # the rows blank in every column looked at so far
    for column in columns:  # each column looked at only in the rows the others left (usually none)
        codes, texts = ctx.encoding(frame, column).result()
        cells = codes if len(blank) == len(frame) else codes[blank]
        if "" in texts:
            # Per distinct text, whether it is blank; the last entry stands for a missing cell (code -1).
            blank = blank[np.array([text == "" for text in texts] + [True], dtype=bool)[cells]]
        else:  # usually: then only missing cells are blank, and a comparison finds them
            blank = blank[cells < 0]
        if not len(blank):
            return sheet
    empty = np.zeros(len(frame), dtype=bool)
    empty[blank] = True
    rows = frame.index[empty].tolist()
    shown = ", ".join(str(r) for r in rows[:20]) + (", ..." if len(rows) > 20 else "")
    ctx.problems.add(
        problem(
            "totals_row_skipped",
            Text(
                gettext_noop(
                    "%(count)s rows with neither a date nor a place (a totals row, a note?) left out: rows %(shown)s."
                )
                if len(rows) > 1
                else gettext_noop(
                    "%(count)s row with neither a date nor a place (a totals row, a note?) left out: row %(shown)s."
                ),
                count=f"{len(rows):,}",
                shown=shown,
            ),
            severity="warning",
            sheet=sheet.name or None,
        ),
        rows=rows,
    )
    return Sheet(name=sheet.name, header=sheet.header, frame=frame[~empty], header_row=sheet.header_row)


def distinct_values(
    frame: pd.DataFrame, columns: Iterable[str], encodings: Mapping[str, tuple[np.ndarray, list[str]]] | None = None
) -> dict[str, list[str]]:
    """column -> its distinct non-empty values (sorted), for the columns with at most MAX_FILTER_VALUES
    of them. A column whose encoding (codes, distinct stripped texts) is given is read from it; the first
    rows of the others rule out most columns; those left are read in chunks, each dropped as soon as it
    shows too many values (a million rows cost one pass over the few columns that qualify)."""
    found: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    for column in columns:
        if column not in frame.columns:
            continue
        if encodings and column in encodings:
            values = set(encodings[column][1]) - {""}  # each text of a column of strings is in some row
            if 0 < len(values) <= MAX_FILTER_VALUES:
                found[column] = sorted(values)
        else:
            seen[column] = set()
    start, size = 0, PROBE_ROWS
    while seen and start < len(frame):
        chunk = frame.iloc[start : start + size]
        for column in list(seen):
            values = seen[column]
            values.update(str(v).strip() for v in chunk[column].unique())
            values.discard("")
            if len(values) > MAX_FILTER_VALUES:
                del seen[column]
        start, size = start + size, CHUNK_ROWS
    found.update({column: sorted(values) for column, values in seen.items() if values})
    return {column: found[column] for column in columns if column in found}
