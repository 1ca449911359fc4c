"""Sniffing: type, encoding, delimiter and number format, by content and never by name."""

import pytest
from openpyxl import Workbook

from contributions.parsing import parse_bytes, parse_file

ROWS = "date;location;confirmed\n2020-03-01;Bogotá;1.234\n2020-03-02;Bogotá;2.345\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1252", "cp1252"),
        ("utf-16-le", "utf-16-le"),
    ],
)
def test_detects_the_encoding(encoding, expected):
    parsed = parse_bytes(ROWS.encode(encoding))

    assert parsed.encoding == expected
    assert parsed.sheets[0].frame["location"].tolist() == ["Bogotá", "Bogotá"]


@pytest.mark.parametrize(("delimiter", "kind"), [(",", "csv"), (";", "csv"), ("\t", "tsv"), ("|", "csv")])
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


def test_type_is_decided_by_content_not_by_the_name(tmp_path):
    workbook = Workbook()
    workbook.active.append(["date", "location", "confirmed"])
    workbook.active.append(["2020-03-01", "IT", 1694])
    path = tmp_path / "looks-like.csv"
    workbook.save(path)

    parsed = parse_file(path, filename="data.csv")

    assert parsed.kind == "xlsx"
    assert parsed.sheets[0].frame.iloc[0].tolist() == ["2020-03-01", "IT", "1694"]
