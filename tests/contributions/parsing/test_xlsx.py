"""XLSX workbooks: cells become plain text, a stored workbook reads as its bytes do."""

import io

from openpyxl import Workbook

from contributions.parsing import parse_bytes, parse_file


def test_xlsx_dates_and_numbers_become_plain_text():
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Italia"
    sheet.append(["data", "totale_casi", "tamponi"])
    sheet.append([dt.datetime(2020, 3, 1), 1694.0, 21127.5])
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = parse_bytes(buffer.getvalue())

    assert parsed.sheets[0].name == "Italia"
    assert parsed.sheets[0].frame.iloc[0].tolist() == ["2020-03-01", "1694", "21127.5"]


def test_a_stored_xlsx_reads_as_its_bytes_do(tmp_path):
    workbook = Workbook()
    workbook.active.append(["date", "location", "confirmed"])
    workbook.active.append(["2020-03-01", "IT", 1694])
    buffer = io.BytesIO()
    workbook.save(buffer)
    stored = tmp_path / "upload"
    stored.write_bytes(buffer.getvalue())

    parsed = parse_file(stored)

    assert parsed.kind == "xlsx"
    assert parsed.sheets[0].frame["confirmed"].tolist() == ["1694"]
