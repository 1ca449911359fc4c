"""Workbooks: sheets whose columns differ are read together, the mapping chooses the sheets, and the
report gives each sheet's plan and names the sheets that cannot be read as data, with the reason."""

import datetime as dt
import json

import openpyxl
import pytest

from contributions.parsing import parse_bytes, parse_file
from contributions.validation import validate
from tests.contributions.validation.builders import run, values, workbook

TODAY = dt.date(2023, 12, 31)
DPC = "real/it_dpc-covid19-ita-master_20200308.xlsx"
SERIES = "dpc-covid19-ita-regioni"
DPC_METRICS = {
    "totale_casi": "confirmed",
    "deceduti": "deaths",
    "dimessi_guariti": "recovered",
    "tamponi": "tests",
    "terapia_intensiva": "icu",
    "totale_ospedalizzati": "hospitalized",
}


def check(path, mapping=None):
    parsed = parse_file(path, filename=path.name, mapping=mapping)
    return validate(parsed, mapping=mapping, default_country="IT", source_country="IT", today=TODAY)


def test_the_dpc_workbook_without_a_mapping_gets_a_report_of_every_sheet(test_data, reference_data):
    result = check(test_data / DPC)

    report = result.report
    assert "validation_failed" not in report["counts"]
    json.dumps(report)
    sheets = {s["name"]: s for s in report["detected"]["sheets"]}
    assert list(sheets) == openpyxl.load_workbook(test_data / DPC, read_only=True).sheetnames
    assert report["detected"]["sheet_names"] == list(sheets)
    assert all(s["layout"] == "wide_metric" and s["read"] for s in sheets.values())
    assert sheets[SERIES]["location_columns"] == ["stato", "denominazione_regione"]
    assert sheets["dati"]["location_columns"] == ["stato"]  # the national sheet has no region column
    assert sheets[SERIES]["rows"] == 273
    # Each daily sheet ends with a =SUM() row that has no date and no place: named and left out.
    totals = [p for p in report["problems"] if p["code"] == "totals_row_skipped"]
    assert len(totals) == 13
    assert {(p["sheet"], p["rows"][0]) for p in totals} == {(name, 23) for name in list(sheets)[1:-1]}
    # The daily sheets repeat the series: said once, so that the volunteer chooses the sheets.
    repeating = next(p for p in report["problems"] if p["code"] == "sheets_repeat_values")
    assert repeating["message"].startswith("The sheets '24', '25', '26'")
    assert f"'{SERIES}'" not in repeating["message"]
    assert "'dati'" not in repeating["message"]


def test_the_regional_series_sheet_alone_is_read_value_for_value(test_data, reference_data):
    result = check(test_data / DPC, mapping={"sheets": [SERIES]})

    assert result.is_valid, result.report["problems"][:5]
    frame = result.frame
    assert set(frame["sheet"]) == {SERIES}
    book = openpyxl.load_workbook(test_data / DPC, read_only=True, data_only=True)
    cells = list(book[SERIES].iter_rows(values_only=True))
    header = list(cells[0])
    by_row = {(r.row, r.metric): r for r in frame.itertuples()}
    filled = 0
    for number, cells_of_row in enumerate(cells[1:], start=2):
        for column, metric in DPC_METRICS.items():
            cell = cells_of_row[header.index(column)]
            if cell is None:  # two empty cells (terapia_intensiva, 7 March, Sardegna and Sicilia)
                assert (number, metric) not in by_row
                continue
            filled += 1
            stored = by_row[(number, metric)]
            assert stored.value == cell, (number, column)
            assert stored.date.date() == cells_of_row[header.index("data")].date()
    assert len(frame) == filled == 273 * len(DPC_METRICS) - 2
    lombardia = frame[(frame["location_key"] == "IT_25") & (frame["metric"] == "confirmed")]
    assert lombardia.sort_values("date")["value"].iloc[-1] == 3420  # 7 March 2020
    skipped = {s["name"]: s["reason"] for s in result.report["detected"]["skipped_sheets"]}
    assert set(skipped) == set(book.sheetnames) - {SERIES}
    assert set(skipped.values()) == {"Not among the sheets the mapping reads."}


def test_sheets_whose_location_columns_differ_are_read_together(reference_data):
    data = workbook(
        **{
            "regioni": [
                ["data", "stato", "denominazione_regione", "deceduti"],
                ["2020-03-01", "ITA", "Lombardia", 5],
                ["2020-03-01", "ITA", "Veneto", 2],
            ],
            "nazionale": [["data", "stato", "deceduti"], ["2020-03-01", "ITA", 7]],
        }
    )

    result = run(data, filename="dpc.xlsx", country="IT")

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("IT_25", "deaths", "2020-03-01"): 5,
        ("IT_34", "deaths", "2020-03-01"): 2,
        ("IT", "deaths", "2020-03-01"): 7,
    }


def test_sheets_that_cannot_be_read_as_data_are_named_with_the_reason(reference_data):
    data = workbook(
        **{
            "cases": [["date", "location", "confirmed"], ["2020-03-01", "IT", 4]],
            "notes": [["Source", "Comment"], ["Ministry", "figures at 18:00"]],
            "empty": [],
        }
    )

    result = run(data, filename="cases.xlsx")

    sheets = {s["name"]: s for s in result.report["detected"]["sheets"]}
    assert sheets["cases"]["read"] is True
    assert sheets["notes"]["read"] is False
    assert "No column looks like a metric" in sheets["notes"]["reason"]
    skipped = {s["name"]: s["reason"] for s in result.report["detected"]["skipped_sheets"]}
    assert skipped == {"empty": "Sheet 'empty' is empty."}
    chosen = run(data, filename="cases.xlsx", mapping={"sheets": ["cases"]})
    assert chosen.is_valid, chosen.report["problems"]
    assert values(chosen) == {("IT", "confirmed", "2020-03-01"): 4}


@pytest.mark.parametrize(
    ("wanted", "code", "severity"),
    [(["cases", "deaths"], "bad_mapping", "warning"), (["deaths"], "bad_mapping", "error")],
)
def test_a_sheet_the_mapping_names_that_the_workbook_lacks_is_reported(wanted, code, severity):
    data = workbook(**{"cases": [["date", "location", "confirmed"], ["2020-03-01", "IT", 4]]})

    parsed = parse_bytes(data, filename="cases.xlsx", mapping={"sheets": wanted})

    entry = next(p for p in parsed.problems if p["code"] == code)
    assert entry["severity"] == severity
    assert "'deaths'" in entry["message"]
    assert "its sheets are 'cases'" in entry["message"]
