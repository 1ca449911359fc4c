"""Running validation on a small file given as text, and reading the result back."""

import datetime as dt
import io

import openpyxl

from contributions.parsing import parse_bytes
from contributions.validation import ValidationResult, validate

TODAY = dt.date(2023, 3, 10)


def run(
    text: str | bytes,
    *,
    mapping: dict | None = None,
    recipe: object = None,
    country: object = None,
    filename: str = "upload.csv",
) -> ValidationResult:
    data = text.encode() if isinstance(text, str) else text
    parsed = parse_bytes(data, filename=filename, mapping=mapping)
    return validate(parsed, mapping=mapping, recipe=recipe, default_country=country, today=TODAY)


def values(result: ValidationResult) -> dict[tuple[str, str, str], float]:
    return {(r.location_key, r.metric, r.date.strftime("%Y-%m-%d")): r.value for r in result.frame.itertuples()}


def codes(result: ValidationResult) -> set[str]:
    return set(result.report["counts"])


def workbook(**sheets: list[list[object]]) -> bytes:
    """An XLSX file with these sheets (in this order), each given as its rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
