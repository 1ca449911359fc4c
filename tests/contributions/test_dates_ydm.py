"""Dates whose order is ambiguous: a column's format is decided from all its values (year-day-month when
values demand it, as in a real published file), and a column that mixes formats is reported."""

import datetime as dt
import io

from openpyxl import Workbook

from contributions.validation.dates import ISO, YEAR_DAY_MONTH, read_dates
from tests.contributions.validation.builders import codes, run, values

YDM_FILE = (
    "date,location,confirmed\n"
    "2020-01-03,IT,1\n"  # would read as 1 March in ISO
    "2020-22-01,IT,2\n"  # reads only as 22 January
    "2020-25-01,IT,3\n"
)


def test_a_column_with_values_that_read_only_year_day_month_is_read_so_throughout():
    reading = read_dates(["2020-01-03", "2020-22-01", "2020-25-01"])

    assert reading.format == YEAR_DAY_MONTH
    assert reading.dates == {
        "2020-01-03": dt.date(2020, 3, 1),
        "2020-22-01": dt.date(2020, 1, 22),
        "2020-25-01": dt.date(2020, 1, 25),
    }
    assert not reading.others


def test_a_column_that_fits_iso_stays_iso():
    reading = read_dates(["2020-01-03", "2020-01-12"])

    assert reading.format == ISO
    assert reading.dates["2020-01-03"] == dt.date(2020, 1, 3)


def test_year_day_month_is_said_in_the_report_and_every_value_follows_it(reference_data):
    result = run(YDM_FILE)

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("IT", "confirmed", "2020-03-01"): 1,
        ("IT", "confirmed", "2020-01-22"): 2,
        ("IT", "confirmed", "2020-01-25"): 3,
    }
    warning = next(p for p in result.report["problems"] if p["code"] == "date_year_day_month")
    assert warning["severity"] == "warning"
    assert warning["column"] == "date"
    assert "'2020-22-01' has no month 22" in warning["message"]
    assert "'2020-01-03' is 1 March 2020" in warning["message"]


def test_the_mapping_can_give_year_day_month_and_then_no_value_falls_back_to_iso(reference_data):
    text = "date,location,confirmed\n2020-01-03,IT,1\n2020-13-01,IT,2\n"

    result = run(text, mapping={"date_format": "%Y-%d-%m"})
    iso = run(text, mapping={"date_format": "%Y-%m-%d"})

    assert values(result) == {("IT", "confirmed", "2020-03-01"): 1, ("IT", "confirmed", "2020-01-13"): 2}
    assert "date_year_day_month" not in codes(result)  # the volunteer said so
    assert not iso.is_valid
    assert iso.report["counts"]["date_unparseable"] == 1  # 2020-13-01 is no ISO date: refused, not guessed


def test_a_column_that_mixes_formats_is_reported_with_its_rows_and_not_read_by_guess(reference_data):
    text = "date,location,confirmed\n2020-03-15,IT,1\n2020-03-16,IT,2\n2020-03-01,IT,3\n2020-22-01,IT,4\n"

    result = run(text)

    assert not result.is_valid
    mixed = next(p for p in result.report["problems"] if p["code"] == "date_formats_mixed")
    assert mixed["severity"] == "error"
    assert mixed["rows"] == [5]
    assert "read as ISO 8601" in mixed["message"]
    assert "'2020-22-01'" in mixed["message"]
    assert "date_unparseable" not in codes(result)  # said once, as a mix


def test_each_sheet_has_its_own_date_format(reference_data):
    workbook = Workbook()
    first = workbook.active
    first.title = "Italy"
    for row in [["date", "confirmed"], ["13/03/2020", 1], ["02/03/2020", 2]]:
        first.append(row)
    second = workbook.create_sheet("Korea")
    for row in [["date", "confirmed"], ["03/13/2020", 5], ["03/02/2020", 6]]:
        second.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(buffer.getvalue(), filename="cases.xlsx")

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("IT", "confirmed", "2020-03-13"): 1,
        ("IT", "confirmed", "2020-03-02"): 2,  # day first, as the sheet's 13/03/2020 shows
        ("KR", "confirmed", "2020-03-13"): 5,
        ("KR", "confirmed", "2020-03-02"): 6,  # month first, as 03/13/2020 shows
    }
