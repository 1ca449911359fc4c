"""One column per place: detected from headers that are places (names or codes), each value landing on
its column's place; totals and values of no known place reported, never summed into a place."""

import csv
import datetime as dt

import pandas as pd

from contributions.parsing import parse_file
from contributions.validation import validate
from tests.conftest import TEST_DATA

from .builders import codes, run, values

ZA_FILE = TEST_DATA / "real" / "za_covid19za_provincial_cumulative_timeline_confirmed.csv"
ZA_PROVINCES = ["EC", "FS", "GP", "KZN", "LP", "MP", "NC", "NW", "WC"]
PT_FILE = TEST_DATA / "real" / "pt_dssg_data.csv"


def za(mapping=None, *, filename=ZA_FILE.name):
    parsed = parse_file(ZA_FILE, filename=filename, mapping=mapping)
    return validate(parsed, mapping=mapping, default_country="ZA", source_country="ZA", today=dt.date(2023, 12, 31))


def za_rows():
    with ZA_FILE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cell(frame, key, date):
    """The value of a place on a date written as the file writes it (dd-mm-yyyy)."""
    day, month, year = (int(part) for part in date.split("-"))
    found = frame[(frame["location_key"] == key) & (frame["date"] == pd.Timestamp(year, month, day))]
    assert len(found) == 1, found
    return found.iloc[0]


def warnings_by_column(result, code):
    return {p["column"]: p for p in result.report["problems"] if p["code"] == code}


def test_south_africa_provinces_one_column_each_get_in_without_a_mapping(reference_data):
    result = za()

    assert result.is_valid, result.report["counts"]
    sheet = result.report["detected"]["sheets"][0]
    assert sheet["layout"] == "wide_place"
    assert result.report["layout"] == "wide_place"
    assert sheet["metric"] == "confirmed"  # from the file name
    assert sheet["column_places"] == {
        **{code: f"ZA_{code}" for code in ZA_PROVINCES},
        "UNKNOWN": "",
        "total": "",
    }
    assert {sheet["roles"][c] for c in [*ZA_PROVINCES, "UNKNOWN", "total"]} == {"place"}
    frame = result.frame
    assert set(frame["location_key"].astype(str)) == {f"ZA_{code}" for code in ZA_PROVINCES}
    assert set(frame["metric"].astype(str)) == {"confirmed"}
    rows = za_rows()
    filled = sum(1 for r in rows for code in ZA_PROVINCES if r[code].strip())
    assert len(frame) == filled  # every province cell with a value, nothing else
    for row in (rows[0], rows[99], rows[-1]):
        for code in ("GP", "KZN", "WC"):
            assert cell(frame, f"ZA_{code}", row["date"]).value == float(row[code])
    assert cell(frame, "ZA_GP", "14-06-2020").row == 101  # the file's line


def test_total_and_unknown_columns_are_reported_with_their_values_not_summed(reference_data):
    result = za()

    rows = za_rows()
    total = warnings_by_column(result, "total_column")["total"]
    unknown = warnings_by_column(result, "unknown_place_column")["UNKNOWN"]
    assert total["severity"] == unknown["severity"] == "warning"
    assert f"({sum(1 for r in rows if r['total'].strip()):,} values)" in total["message"]
    assert "map it to the country (South Africa, ZA)" in total["message"]
    assert f"({sum(1 for r in rows if r['UNKNOWN'].strip()):,} values)" in unknown["message"]
    assert "no known place" in unknown["message"]
    # GP on 14 June 2020 is GP's cell, not GP plus the unknown or the total.
    assert cell(result.frame, "ZA_GP", "14-06-2020").value == 11164
    left_out = {e["column"]: e for e in result.report["detected"]["sheets"][0]["left_out"]}
    assert left_out["total"]["on_purpose"] is False
    assert left_out["total"]["values"] == len(rows)


def test_mapping_the_total_to_the_country_takes_it(reference_data):
    result = za({"column_places": {"total": "ZA"}})

    assert result.is_valid, result.report["counts"]
    assert cell(result.frame, "ZA", "14-06-2020").value == 70038
    assert "total_column" not in codes(result)
    assert "unknown_place_column" in codes(result)


def test_the_mapping_a_volunteer_gives_leaves_out_on_purpose_without_warnings(reference_data):
    places = {code: f"ZA_{code}" for code in ZA_PROVINCES}
    mapping = {
        "layout": "wide_place",
        "date_column": "date",
        "metric": "confirmed",
        "column_places": {**places, "UNKNOWN": "", "total": ""},
        "ignore": ["YYYYMMDD", "source"],
    }

    result = za(mapping, filename="upload.csv")

    assert result.is_valid, result.report["counts"]
    assert not codes(result) & {"total_column", "unknown_place_column"}
    left_out = {e["column"]: e for e in result.report["detected"]["sheets"][0]["left_out"]}
    assert left_out["total"]["on_purpose"]
    assert left_out["UNKNOWN"]["on_purpose"]
    assert left_out["YYYYMMDD"]["reason"] == "left out by the mapping"
    assert cell(result.frame, "ZA_KZN", "14-06-2020").value == 3874


def test_without_a_metric_in_the_file_name_the_file_asks_for_one_with_the_places_filled_in(reference_data):
    result = za(filename="provinces.csv")

    assert not result.is_valid
    needs = result.report["needs_mapping"]
    assert [r["code"] for r in needs["reasons"]] == ["no_metric"]
    suggested = needs["suggested"]
    assert suggested["layout"] == "wide_place"
    assert suggested["date_column"] == "date"
    assert suggested["column_places"]["KZN"] == "ZA_KZN"
    assert suggested["column_places"]["total"] == ""
    assert "YYYYMMDD" in suggested["ignore"]


def test_one_column_per_country_in_an_international_file(reference_data):
    text = "date,Germany,France,Italy,total\n2020-03-01,130,100,1694,1924\n"

    result = run(text, filename="confirmed_by_country.csv")

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("DE", "confirmed", "2020-03-01"): 130,
        ("FR", "confirmed", "2020-03-01"): 100,
        ("IT", "confirmed", "2020-03-01"): 1694,
    }
    assert "total_column" in codes(result)


def test_the_metric_can_be_given_and_a_code_resolves_in_the_country(reference_data):
    result = run("Date,Gauteng,KZN\n2020-06-14,11164,3874\n", country="ZA", mapping={"metric": "deaths"})

    assert result.is_valid, result.report["problems"]
    assert values(result) == {("ZA_GP", "deaths", "2020-06-14"): 11164, ("ZA_KZN", "deaths", "2020-06-14"): 3874}


def test_a_column_that_is_no_place_we_know_asks_the_volunteer(reference_data):
    text = "date,Gauteng,Limpopo,Atlantis\n2020-06-14,1,2,3\n"

    result = run(text, country="ZA", filename="deaths.csv")

    assert not result.is_valid
    needs = result.report["needs_mapping"]
    assert [r["code"] for r in needs["reasons"]] == ["unknown_place_columns"]
    assert "'Atlantis'" in needs["reasons"][0]["message"]
    assert needs["suggested"]["column_places"] == {"Gauteng": "ZA_GP", "Limpopo": "ZA_LP", "Atlantis": ""}
    answered = run(text, country="ZA", filename="deaths.csv", mapping={"column_places": {"Atlantis": ""}})
    assert answered.is_valid, answered.report["problems"]
    assert len(answered.frame) == 2


def test_short_lower_case_headers_are_not_country_codes(reference_data):
    result = run("date,id,no\n2020-03-01,1,2\n", filename="confirmed.csv")

    assert result.report["detected"]["sheets"][0]["layout"] != "wide_place"
    assert not result.is_valid


def test_a_bad_value_names_the_row_and_the_place_column(reference_data):
    result = run("date,GP,KZN\n2020-06-13,9897,3763\n2020-06-14,n/a,3874\n", country="ZA", filename="confirmed.csv")

    bad = [p for p in result.report["problems"] if p["code"] == "value_not_numeric"]
    assert [(p["row"], p["column"], p["value"]) for p in bad] == [(3, "GP", "n/a")]


def test_column_places_with_an_unknown_key_or_column_is_a_bad_mapping(reference_data):
    text = "date,GP,KZN\n2020-06-14,11164,3874\n"

    wrong_key = run(text, country="ZA", filename="confirmed.csv", mapping={"column_places": {"GP": "ZA_XX"}})
    wrong_column = run(text, country="ZA", filename="confirmed.csv", mapping={"column_places": {"Gauteng": "ZA_GP"}})

    for result in (wrong_key, wrong_column):
        assert not result.is_valid
        assert "bad_mapping" in codes(result)
    assert any("ZA_XX" in p["message"] for p in wrong_key.report["problems"])


def test_a_metric_and_a_place_in_one_header_land_on_that_place(reference_data):
    text = "date,deaths,Gauteng deaths,deaths_KZN\n2020-06-14,1480,120,98\n"

    result = run(text, country="ZA", mapping={"location": "ZA"})

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("ZA", "deaths", "2020-06-14"): 1480,
        ("ZA_GP", "deaths", "2020-06-14"): 120,
        ("ZA_KZN", "deaths", "2020-06-14"): 98,
    }
    sheet = result.report["detected"]["sheets"][0]
    assert sheet["column_places"] == {"Gauteng deaths": "ZA_GP", "deaths_KZN": "ZA_KZN"}


def test_headers_that_are_all_a_metric_and_a_place_need_no_place_of_all_figures(reference_data):
    result = run("date,Gauteng deaths,Gauteng cases\n2020-06-14,120,11164\n", country="ZA")

    assert result.is_valid, result.report["problems"]
    assert values(result) == {("ZA_GP", "deaths", "2020-06-14"): 120, ("ZA_GP", "confirmed", "2020-06-14"): 11164}


def test_portugal_regions_given_in_column_places_take_their_values(reference_data):
    mapping = {
        "location": "PT",
        "column_places": {"confirmados_acores": "PT_20", "confirmados_madeira": "PT_30", "obitos_acores": "PT_20"},
    }
    parsed = parse_file(PT_FILE, filename=PT_FILE.name, mapping=mapping)

    result = validate(parsed, mapping=mapping, default_country="PT", source_country="PT", today=dt.date(2023, 12, 31))

    assert result.is_valid, result.report["counts"]
    with PT_FILE.open(newline="", encoding="utf-8") as handle:
        rows = {r["data"]: r for r in csv.DictReader(handle)}
    frame = result.frame
    for key, metric, column in [
        ("PT_20", "confirmed", "confirmados_acores"),
        ("PT_30", "confirmed", "confirmados_madeira"),
        ("PT_20", "deaths", "obitos_acores"),
        ("PT", "confirmed", "confirmados"),
    ]:
        taken = frame[(frame["location_key"] == key) & (frame["metric"] == metric)]
        assert len(taken) == sum(1 for r in rows.values() if r[column].strip())
        last = taken.iloc[-1]
        assert last.value == float(rows[last.date.strftime("%d-%m-%Y")][column])
    # The health regions (ARS) are no places of ours: reported, with their values, not dropped unnamed.
    warned = warnings_by_column(result, "unmapped_metric_column")
    assert "if 'arsnorte' is a place, give its key in column_places" in warned["confirmados_arsnorte"]["message"]
    assert "confirmados_acores" not in warned


def test_columns_of_places_named_only_in_the_mapping_are_read_one_per_place(reference_data):
    mapping = {"metric": "confirmed", "column_places": {"Region A": "ZA_GP", "Region B": "ZA_EC"}}

    result = run("date,Region A,Region B\n2020-06-14,11164,10027\n", country="ZA", mapping=mapping)

    assert result.is_valid, result.report["problems"]
    assert result.report["layout"] == "wide_place"
    assert values(result) == {("ZA_GP", "confirmed", "2020-06-14"): 11164, ("ZA_EC", "confirmed", "2020-06-14"): 10027}


def test_a_national_source_cannot_send_a_column_to_another_country(reference_data):
    result = za({"column_places": {"total": "NA"}})  # Namibia, not South Africa

    assert not result.is_valid
    assert "location_outside_country" in codes(result)
