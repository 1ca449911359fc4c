"""A small workbook cannot hold a worker: bombs are refused from the ZIP directory before anything
is inflated, the structure is read by an XML parser, and the cells read are capped."""

import io
import zipfile

import pytest

from contributions.parsing import parse_bytes
from contributions.parsing.archive import sheet_paths

from ..corpus import (
    RELS_NS,
    WORKSHEET_REL,
    many_small_inflating_parts,
    minimal_workbook,
    minimal_workbook_parts,
    rels_with_long_comment,
    xlsx_parts,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_xml(rows, dimension=None):
    cells = "".join(
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in row) + "</row>" for row in rows
    )
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN_NS}">{head}<sheetData>{cells}</sheetData></worksheet>'


@pytest.fixture
def forbid_inflating(monkeypatch):
    """Once called, reading any part of any archive fails: a refusal must come from the directory."""

    def refuse(self, name, *args, **kwargs):
        raise AssertionError(f"{name} was inflated")

    def forbid():
        monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
        monkeypatch.setattr(zipfile.ZipFile, "read", refuse)

    return forbid


@pytest.mark.parametrize(
    ("make", "part"),
    [
        (rels_with_long_comment, "xl/_rels/workbook.xml.rels"),
        (lambda: many_small_inflating_parts(28), "xl/worksheets/sheet1.xml"),
        (lambda: many_small_inflating_parts(293), "xl/worksheets/sheet1.xml"),
    ],
    ids=["rels_long_comment", "inflating_parts_110kb", "inflating_parts_1.5mb"],
)
def test_a_part_under_a_mebibyte_compressed_too_far_is_refused_before_it_is_inflated(make, part, forbid_inflating):
    data = make()
    forbid_inflating()

    parsed = parse_bytes(data, filename="book.xlsx")

    assert [p["code"] for p in parsed.problems] == ["zip_bomb"]
    assert parsed.problems[0]["message"].startswith(f"{part} is compressed")
    assert parsed.sheets == []


def test_many_tiny_parts_that_add_up_are_refused_by_the_total_ratio(forbid_inflating):
    parts = {f"xl/media/part{i}.xml": "9" * 60_000 for i in range(300)}  # each under the per-part floor
    data = minimal_workbook(parts)
    forbid_inflating()

    parsed = parse_bytes(data, filename="book.xlsx")

    assert [p["code"] for p in parsed.problems] == ["zip_bomb"]
    assert "parts would expand from" in parsed.problems[0]["message"]


def test_a_long_comment_in_the_relationships_is_only_a_comment():
    data = rels_with_long_comment(compression=zipfile.ZIP_STORED)

    assert sheet_paths(zipfile.ZipFile(io.BytesIO(data))) == {"Sheet1": "xl/worksheets/sheet1.xml"}


def test_sheet_paths_follow_the_relationships_whatever_their_form():
    workbook = (
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships">'
        '<sheets><sheet name="A &amp; B" sheetId="1" r:id="rId7"/><sheet name="Two" sheetId="2" r:id="rId8"/>'
        "</sheets></workbook>"
    )
    rels = (
        f'<Relationships xmlns="{RELS_NS}">'
        f'<Relationship Target="/xl/worksheets/first.xml" Type="{WORKSHEET_REL}" Id="rId7"/>'
        f'<Relationship Id="rId8" Type="{WORKSHEET_REL}" Target="worksheets/../worksheets/second.xml"/>'
        "</Relationships>"
    )
    data = xlsx_parts({**minimal_workbook_parts(), "xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels})

    assert sheet_paths(zipfile.ZipFile(io.BytesIO(data))) == {
        "A & B": "xl/worksheets/first.xml",
        "Two": "xl/worksheets/second.xml",
    }


def test_cells_read_are_capped_by_the_setting(settings):
    settings.XLSX_MAX_CELLS = 10
    rows = [["date", "location", "confirmed"], *[["2020-03-01", "IT", str(i)] for i in range(5)]]
    data = minimal_workbook({"xl/worksheets/sheet1.xml": sheet_xml(rows)})

    parsed = parse_bytes(data, filename="book.xlsx")

    assert [p["code"] for p in parsed.problems] == ["too_many_cells"]
    assert "more than 10 cells" in parsed.problems[0]["message"]
    assert "CSV" in parsed.problems[0]["message"]


def test_a_declared_size_is_not_believed():
    """A dimension of a billion rows and 4,999 columns: rows are as wide and as many as their cells."""
    rows = [["date", "location", "confirmed"], ["2020-03-01", "IT", "1694"]]
    data = minimal_workbook({"xl/worksheets/sheet1.xml": sheet_xml(rows, dimension="A1:GJH999999999")})

    parsed = parse_bytes(data, filename="book.xlsx")

    assert parsed.problems == []
    assert parsed.sheets[0].header == ["date", "location", "confirmed"]
    assert parsed.sheets[0].frame["confirmed"].tolist() == ["1694"]


def test_a_row_beyond_excels_last_row_is_refused():
    sheet = sheet_xml([["date"]]).replace(
        "</sheetData>", '<row r="1048578"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    data = minimal_workbook({"xl/worksheets/sheet1.xml": sheet})

    parsed = parse_bytes(data, filename="book.xlsx")

    assert [p["code"] for p in parsed.problems] == ["too_many_rows"]
    assert "1,048,576 rows" in parsed.problems[0]["message"]
