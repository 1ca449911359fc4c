"""XLSX workbooks: the archive checked before it is opened (no bomb, no macros, no DTD), each sheet
read with openpyxl (defusedxml) as a table of strings, formulas flagged."""

import io
import mmap
import re
import zipfile
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..contracts import ColumnMapping
from .parsed import MAX_COLUMNS, MAX_PROBLEMS_PER_CODE, MAX_ROWS, ParsedFile, Unreadable, add_sheet, cell_text, problem

XLSX_MAX_UNCOMPRESSED = 300 * 1024 * 1024
XLSX_MAX_RATIO = 100  # per member larger than XLSX_RATIO_FROM bytes once uncompressed
XLSX_RATIO_FROM = 1024 * 1024


def check_xlsx_archive(data: bytes | mmap.mmap) -> zipfile.ZipFile:
    """The archive, once it is known to be a workbook that is safe to open (no bomb, no macros, no DTD)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable("corrupt_xlsx", f"The file starts like an XLSX (ZIP) archive but is damaged: {exc}.")
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names) or any(
        b"macroEnabled" in archive.read(n)[:100_000] for n in names if n == "[Content_Types].xml"
    ):
        raise Unreadable(
            "macros_refused",
            "The workbook contains macros (VBA). Save it as a plain .xlsx workbook without macros, or as CSV.",
        )
    if "xl/workbook.xml" not in names:
        raise Unreadable("unsupported_type", "This is a ZIP archive, not an Excel workbook (.xlsx).")
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise Unreadable(
            "zip_bomb",
            f"The workbook would expand to {total / 1e6:,.0f} MB; the limit is "
            f"{XLSX_MAX_UNCOMPRESSED / 1e6:,.0f} MB. Export it as CSV instead.",
        )
    for info in infos:
        if info.file_size > XLSX_RATIO_FROM and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise Unreadable(
                "zip_bomb",
                f"{info.filename} is compressed {ratio:,.0f}"
                " times, more than a real workbook ever is; the file was refused as a possible zip bomb.",
            )
    for info in infos:
        # The whole part is scanned: a DTD may follow a long comment at the top.
        if info.filename.endswith((".xml", ".rels", ".vml")) and _member_contains(
            archive, info.filename, (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype")
        ):
            raise Unreadable(
                "xml_entities_refused",
                f"{info.filename} declares a DTD or XML entities, which real "
                "workbooks never do (an XML bomb or external entity attack); the file was refused.",
            )
    return archive


def read_xlsx(data: bytes | mmap.mmap, parsed: ParsedFile, mapping: ColumnMapping) -> None:
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned requirement
        raise Unreadable("unreadable", "XLSX support needs defusedxml installed on the server.")
    archive = check_xlsx_archive(data)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise Unreadable("corrupt_xlsx", f"The workbook could not be opened: {type(exc).__name__}: {exc}"[:300])
    wanted = mapping.get("sheets")
    sheet_paths = _sheet_paths(archive)
    formulas_wb = None
    for index, ws in enumerate(values.worksheets):
        if wanted and ws.title not in wanted:
            continue
        xml_path = sheet_paths.get(ws.title)
        has_formulas = _member_contains(archive, xml_path, (b"<f>", b"<f ")) if xml_path else False
        rows = _sheet_rows(ws, ws.title)
        if has_formulas:
            if formulas_wb is None:
                formulas_wb = openpyxl.load_workbook(
                    io.BytesIO(data), read_only=True, data_only=False, keep_links=False
                )
            _flag_formulas(rows, _sheet_rows(formulas_wb.worksheets[index], ws.title), ws.title, parsed)
        _sheet_to_frame(rows, ws.title, parsed)
    if wanted and not parsed.sheets and not parsed.problems:
        raise Unreadable("bad_mapping", f"None of the sheets {wanted} is in the workbook.")


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> XML part, read from the workbook and its relationships (small files)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = (
        archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        if "xl/_rels/workbook.xml.rels" in archive.namelist()
        else ""
    )
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    paths = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]*)"', tag)
        rid = re.search(r'r:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            from html import unescape

            paths[unescape(name.group(1))] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


def _member_contains(archive: zipfile.ZipFile, name: str, needles: Iterable[bytes]) -> bool:
    if name not in archive.namelist():
        return True  # unknown layout: check cell by cell
    with archive.open(name) as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            block = tail + chunk
            if any(n in block for n in needles):
                return True
            tail = block[-16:]
    return False


def _sheet_rows(ws: Any, title: str) -> list[tuple[Any, ...]]:
    rows = []
    for row in ws.iter_rows(values_only=True):
        if len(row) > MAX_COLUMNS:
            raise Unreadable(
                "too_many_columns",
                f"Sheet {title!r} has {len(row):,} columns; the limit is {MAX_COLUMNS:,}.",
                sheet=title,
            )
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise Unreadable("too_many_rows", f"Sheet {title!r} has more than {MAX_ROWS:,} rows.", sheet=title)
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
                            f"Cell {letter}{r} holds the formula {formula[:80]} and no computed "
                            "value (the file was not saved by a spreadsheet program). "
                            "Paste values instead of formulas.",
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
                f"Column {letter} has {count} formula cell(s) (first {letter}{first_row}: {first[:80]}); "
                "their saved results are used.",
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
        parsed.problems.append(problem("empty_sheet", f"Sheet {title!r} is empty.", severity="warning", sheet=title))
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
