"""XLSX workbooks: the archive checked before it is opened (no bomb, no macros, no DTD), each sheet
read with openpyxl (defusedxml) as a table of strings, formulas flagged."""

import io
import mmap
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils.translation import gettext_noop

from ..contracts import ColumnMapping
from ..texts import Text
from .archive import check_xlsx_archive, member_contains, sheet_paths
from .parsed import MAX_COLUMNS, MAX_PROBLEMS_PER_CODE, MAX_ROWS, ParsedFile, Unreadable, add_sheet, cell_text, problem

XLSX_MAX_ROWS = 1_048_576  # Excel's own limit


def max_cells() -> int:
    """The cap on cells read from a workbook (setting XLSX_MAX_CELLS): each costs a Python object."""
    return int(settings.XLSX_MAX_CELLS)


def read_xlsx(data: bytes | mmap.mmap, parsed: ParsedFile, mapping: ColumnMapping) -> None:
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned requirement
        raise Unreadable("unreadable", Text(gettext_noop("XLSX support needs defusedxml installed on the server.")))
    archive = check_xlsx_archive(data)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        start = "The workbook could not be opened: "
        raise Unreadable(
            "corrupt_xlsx",
            Text(
                gettext_noop("The workbook could not be opened: %(error)s"),
                error=f"{type(exc).__name__}: {exc}"[: 300 - len(start)],
            ),
        )
    wanted = mapping.get("sheets")
    if isinstance(wanted, str):
        wanted = [wanted]
    parsed.sheet_names = [ws.title for ws in values.worksheets]
    missing = [name for name in wanted or [] if name not in parsed.sheet_names]
    if missing and len(missing) < len(wanted or []):
        parsed.problems.append(
            problem(
                "bad_mapping",
                Text(
                    gettext_noop("The workbook has no sheet %(join)s; its sheets are %(join2)s."),
                    join=str(", ".join(map(repr, missing))),
                    join2=str(", ".join(map(repr, parsed.sheet_names))),
                ),
                severity="warning",
            )
        )
    paths = sheet_paths(archive)
    budget = CellBudget(max_cells())
    formulas_wb = None
    for index, ws in enumerate(values.worksheets):
        if wanted and ws.title not in wanted:
            continue
        xml_path = paths.get(ws.title)
        has_formulas = member_contains(archive, xml_path, (b"<f>", b"<f ")) if xml_path else False
        rows = _sheet_rows(ws, ws.title, budget)
        if has_formulas:
            if formulas_wb is None:
                formulas_wb = openpyxl.load_workbook(
                    io.BytesIO(data), read_only=True, data_only=False, keep_links=False
                )
            formulas = _sheet_rows(formulas_wb.worksheets[index], ws.title, CellBudget(budget.limit))
            _flag_formulas(rows, formulas, ws.title, parsed)
        _sheet_to_frame(rows, ws.title, parsed)
    if wanted and not parsed.sheets and not any(p["severity"] == "error" for p in parsed.problems):
        raise Unreadable(
            "bad_mapping",
            Text(
                gettext_noop(
                    "None of the sheets %(wanted)s is in the workbook, or none has data; its sheets are %(join)s."
                ),
                wanted=str(wanted),
                join=str(", ".join(map(repr, parsed.sheet_names))),
            ),
        )


class CellBudget:
    """The cells a workbook may still have read, over all its sheets."""

    def __init__(self, limit: int) -> None:
        self.limit = self.left = limit

    def spend(self, cells: int, title: str) -> None:
        self.left -= cells
        if self.left < 0:
            raise Unreadable(
                "too_many_cells",
                Text(
                    gettext_noop(
                        "The workbook has more than %(limit)s cells (sheet %(title)s reached the limit). Save the "
                        "sheet you want to upload as CSV, or split the workbook into smaller files."
                    ),
                    limit=f"{self.limit:,}",
                    title=repr(title),
                ),
                sheet=title,
            )


def _sheet_rows(ws: Any, title: str, budget: CellBudget) -> list[tuple[Any, ...]]:
    """The sheet's rows; every cell read, empty or not, counts against the budget."""
    ws.reset_dimensions()  # the declared size is the file's say-so: rows are as wide as their cells
    rows = []
    limit = min(MAX_ROWS, XLSX_MAX_ROWS)
    for row in ws.iter_rows(values_only=True):
        if len(row) > MAX_COLUMNS:
            raise Unreadable(
                "too_many_columns",
                Text(
                    gettext_noop("Sheet %(title)s has %(count)s columns; the limit is %(max_columns)s."),
                    title=repr(title),
                    count=f"{len(row):,}",
                    max_columns=f"{MAX_COLUMNS:,}",
                ),
                sheet=title,
            )
        budget.spend(len(row), title)
        rows.append(tuple(row))
        if len(rows) > limit:
            raise Unreadable(
                "too_many_rows",
                Text(
                    gettext_noop("Sheet %(title)s has more than %(limit)s rows."), title=repr(title), limit=f"{limit:,}"
                ),
                sheet=title,
            )
    return rows


def _flag_formulas(
    values: list[tuple[Any, ...]], formulas: list[tuple[Any, ...]], title: str, parsed: ParsedFile
) -> None:
    """Warn about formulas whose cached result we use; an error when the workbook holds no result."""
    from openpyxl.utils import get_column_letter

    flagged = 0
    with_value: dict[str, tuple[int, int, str]] = {}  # column letter -> (count, first row, first formula)
    for r, (vrow, frow) in enumerate(zip(values, formulas, strict=False), start=1):
        for c, formula in enumerate(frow, start=1):
            if isinstance(formula, str) and formula.startswith("="):
                cached = vrow[c - 1] if c - 1 < len(vrow) else None
                letter = get_column_letter(c)
                if cached is not None:
                    count, first_row, first = with_value.get(letter, (0, r, formula))
                    with_value[letter] = (count + 1, first_row, first)
                    continue
                flagged += 1
                if flagged <= MAX_PROBLEMS_PER_CODE:
                    parsed.problems.append(
                        problem(
                            "formula_without_value",
                            Text(
                                gettext_noop(
                                    "Cell %(letter)s%(r)s holds the formula %(formula)s and no computed value "
                                    "(the file was not saved by a spreadsheet program). "
                                    "Paste values instead of formulas."
                                ),
                                letter=str(letter),
                                r=str(r),
                                formula=str(formula[:80]),
                            ),
                            row=r,
                            column=letter,
                            value=formula,
                            sheet=title,
                        )
                    )
    for letter, (count, first_row, first) in with_value.items():
        parsed.problems.append(
            problem(
                "formula_in_cell",
                Text(
                    gettext_noop(
                        "Column %(letter)s has %(count)s formula cell(s) (first %(letter)s%(first_row)s: "
                        "%(first)s); their saved results are used."
                    ),
                    letter=str(letter),
                    count=str(count),
                    first_row=str(first_row),
                    first=str(first[:80]),
                ),
                severity="warning",
                row=first_row,
                column=letter,
                value=first,
                sheet=title,
            )
        )


def _sheet_to_frame(rows: list[tuple[Any, ...]], title: str, parsed: ParsedFile) -> None:
    texts = [[cell_text(v).strip() for v in row] for row in rows]
    nonempty = [i for i, row in enumerate(texts) if any(row)]
    if not nonempty:
        parsed.problems.append(
            problem(
                "empty_sheet",
                Text(gettext_noop("Sheet %(title)s is empty."), title=repr(title)),
                severity="warning",
                sheet=title,
            )
        )
        return
    head = nonempty[0]
    width = max(len(row) for row in texts)
    header = texts[head] + [""] * (width - len(texts[head]))
    body = [row + [""] * (width - len(row)) for row in texts[head + 1 :]]
    numbers = np.arange(head + 2, head + 2 + len(body))
    keep = [i for i, row in enumerate(body) if any(row)]
    frame = (
        pd.DataFrame([body[i] for i in keep], columns=range(width), dtype="str")
        if keep
        else pd.DataFrame(columns=range(width), dtype="str")
    )
    frame.index = pd.Index(numbers[keep], name="row")
    try:
        add_sheet(parsed, title, header, frame, header_row=head + 1)
    except Unreadable as exc:
        parsed.problems.append(exc.problem)
