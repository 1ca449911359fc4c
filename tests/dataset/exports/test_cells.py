"""Cells of the CSV exports: formula-like text is escaped, numbers never are."""

import csv

import pytest

from dataset.exports.cells import escape_cell
from dataset.exports.jhu import write_jhu
from dataset.exports.schema import TIDY_NAME
from dataset.exports.tidy import write_tidy


def test_csv_exports_escape_formula_cells_but_not_numbers(hostile, tmp_path):
    write_tidy(tmp_path)
    with (tmp_path / TIDY_NAME).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = {r["location_key"]: r for r in rows}
    assert names["IT_FORMULA"]["location_name"] == '\'=HYPERLINK("http://evil")'
    assert names["XF"]["location_name"] == "'-2+3"
    assert names["XF"]["source"] == "'@SUM(A1:A9)"
    assert names["XF"]["value"] == "-4"
    write_jhu(tmp_path)
    with (tmp_path / "time_series_covid19_confirmed_global.csv").open(encoding="utf-8") as handle:
        jhu = list(csv.DictReader(handle))
    assert [(r["Province/State"], r["Country/Region"], r["Lat"], r["3/1/20"]) for r in jhu] == [
        ("", "'-2+3", "-11.25", "-4"),
        ('\'=HYPERLINK("http://evil")', "Italy", "", "-4"),  # a region: its name, its country's
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-11.2027", "-11.2027"),
        ("Korea, South", "Korea, South"),
        ("", ""),
    ],
)
def test_escape_cell(text, expected):
    assert escape_cell(text) == expected
