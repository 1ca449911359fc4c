"""Detection of file type, encoding, delimiter and number format, by content and never by name."""
import io

import pytest
from openpyxl import Workbook

from contributions.parsing import parse_bytes, parse_file

ROWS = "date;location;confirmed\n2020-03-01;Bogotá;1.234\n2020-03-02;Bogotá;2.345\n"


def test_reads_every_cell_as_text_so_na_stays_namibia():
    parsed = parse_bytes(b"date,location,confirmed\n2020-03-01,NA,1\n2020-03-01,,2\n")

    frame = parsed.sheets[0].frame
    assert frame["location"].tolist() == ["NA", ""]
    assert frame["confirmed"].tolist() == ["1", "2"]


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252"),
    ("utf-16-le", "utf-16-le"),
])
def test_detects_the_encoding(encoding, expected):
    parsed = parse_bytes(ROWS.encode(encoding))

    assert parsed.encoding == expected
    assert parsed.sheets[0].frame["location"].tolist() == ["Bogotá", "Bogotá"]


@pytest.mark.parametrize("delimiter,kind", [(",", "csv"), (";", "csv"), ("\t", "tsv"), ("|", "csv")])
def test_detects_the_delimiter(delimiter, kind):
    text = "date,location,confirmed\n2020-03-01,IT,1694\n2020-03-02,IT,2036\n".replace(",", delimiter)

    parsed = parse_bytes(text.encode())

    assert (parsed.delimiter, parsed.kind) == (delimiter, kind)
    assert parsed.sheets[0].header == ["date", "location", "confirmed"]


def test_semicolon_files_with_dotted_thousands_are_detected():
    parsed = parse_bytes(b"date;location;confirmed\n2020-03-01;IT;1.234,5\n2020-03-02;IT;12.345\n")

    assert (parsed.decimal, parsed.thousands) == (",", ".")


def test_comma_thousands_in_quoted_fields_are_detected():
    parsed = parse_bytes(b'date,location,confirmed\n2020-03-01,IT,"1,234"\n2020-03-02,IT,"12,345,678"\n')

    assert (parsed.decimal, parsed.thousands) == (".", ",")


def test_quoted_fields_keep_delimiters_and_newlines():
    parsed = parse_bytes(b'date,location,note,confirmed\n2020-03-01,IT,"a, b\nc",1\n2020-03-02,IT,"say ""hi""",2\n')

    frame = parsed.sheets[0].frame
    assert frame["note"].tolist() == ["a, b\nc", 'say "hi"']


def test_rows_are_numbered_as_in_a_spreadsheet():
    parsed = parse_bytes(b"date,location,confirmed\n2020-03-01,IT,1\n2020-03-02,IT,2\n")

    assert parsed.sheets[0].frame.index.tolist() == [2, 3]


def test_a_title_line_above_the_header_is_skipped_with_a_warning():
    parsed = parse_bytes(b"Daily figures\ndate,location,confirmed\n2020-03-01,IT,1\n")

    assert parsed.sheets[0].header == ["date", "location", "confirmed"]
    assert parsed.sheets[0].frame.index.tolist() == [3]
    assert [p["code"] for p in parsed.problems] == ["title_row_skipped"]


def test_json_records_become_a_table_of_strings():
    parsed = parse_bytes(b'{"data": [{"date": "2020-03-01", "location": "NA", "confirmed": 12, "note": null}]}')

    assert parsed.kind == "json"
    assert parsed.sheets[0].frame.iloc[0].tolist() == ["2020-03-01", "NA", "12", ""]


def test_json_in_columns_and_data_form_is_accepted():
    parsed = parse_bytes(b'{"columns": ["date", "location", "confirmed"], "data": [["2020-03-01", "IT", 1694]]}')

    assert parsed.sheets[0].frame.iloc[0].tolist() == ["2020-03-01", "IT", "1694"]


def test_type_is_decided_by_content_not_by_the_name(tmp_path):
    workbook = Workbook()
    workbook.active.append(["date", "location", "confirmed"])
    workbook.active.append(["2020-03-01", "IT", 1694])
    path = tmp_path / "looks-like.csv"
    workbook.save(path)

    parsed = parse_file(path, filename="data.csv")

    assert parsed.kind == "xlsx"
    assert parsed.sheets[0].frame.iloc[0].tolist() == ["2020-03-01", "IT", "1694"]


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


def test_a_user_supplied_file_name_is_never_opened(tmp_path):
    stored = tmp_path / "0f3c2a"
    stored.write_bytes(b"date,location,confirmed\n2020-03-01,IT,1\n")

    parsed = parse_file(stored, filename="/etc/passwd")

    assert parsed.filename == "/etc/passwd"
    assert parsed.sheets[0].header == ["date", "location", "confirmed"]


def test_too_many_rows_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("contributions.parsing.delimited.MAX_ROWS", 3)

    parsed = parse_bytes(b"date,location,confirmed\n" + b"2020-03-01,IT,1\n" * 5)

    assert [p["code"] for p in parsed.problems] == ["too_many_rows"]
    assert not parsed.sheets


def test_a_file_over_the_size_limit_is_not_read(monkeypatch, tmp_path):
    monkeypatch.setattr("contributions.parsing.files.MAX_FILE_BYTES", 10)
    path = tmp_path / "big"
    path.write_bytes(b"date,location,confirmed\n2020-03-01,IT,1\n")

    parsed = parse_file(path)

    assert [p["code"] for p in parsed.problems] == ["file_too_large"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_a_stored_file_reads_as_its_bytes_do(tmp_path, encoding):
    """parse_file maps the stored file instead of reading it into memory: same sheets, same problems,
    and nothing keeps the map open."""
    data = ('"date";"location";"confirmed"\n' + "2020-03-01;Bogotá;1.234\n" * 3 + '2020-03-02;"Bo;gotá";x\n'
            ).encode(encoding)
    stored = tmp_path / "upload"
    stored.write_bytes(data)

    mapped, in_memory = parse_file(stored), parse_bytes(data, filename="upload")

    assert mapped.encoding == in_memory.encoding == encoding
    assert mapped.problems == in_memory.problems
    assert mapped.sheets[0].frame.equals(in_memory.sheets[0].frame)
    assert mapped.sheets[0].frame["location"].tolist()[-1] == "Bo;gotá"
    stored.unlink()  # not held open


def test_a_stored_empty_or_mixed_encoding_file_is_a_clear_error(tmp_path):
    empty, mixed = tmp_path / "empty", tmp_path / "mixed"
    empty.write_bytes(b"")
    mixed.write_bytes("date,location,confirmed\n2020-03-01,Bogotá,1\n".encode()
                      + "2020-03-02,Bogotá,2\n".encode("cp1252"))

    assert [p["code"] for p in parse_file(empty).problems] == ["empty_file"]
    assert [p["code"] for p in parse_file(mixed).problems] == ["mixed_encoding"]
    assert parse_file(mixed).problems[0]["row"] == 3


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
