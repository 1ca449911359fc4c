"""The real files volunteers will upload parse and normalise to the right rows and values."""

import csv
import datetime as dt
import json

import pytest

from contributions.parsing import parse_file
from contributions.validation import validate

TODAY = dt.date(2023, 12, 31)


def check(path, **kwargs):
    return validate(parse_file(path, filename=path.name, mapping=kwargs.get("mapping")), today=TODAY, **kwargs)


def value(frame, key, metric, date):
    rows = frame[(frame["location_key"] == key) & (frame["metric"] == metric) & (frame["date"] == date)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture
def jhu_final(jhu_final_file):
    return jhu_final_file("confirmed")


def test_jhu_time_series_asks_what_to_do_with_places_we_do_not_know(jhu_final, reference_data):
    result = check(jhu_final)

    assert not result.is_valid
    needs = result.report["needs_mapping"]
    assert [r["code"] for r in needs["reasons"]] == ["unknown_sublocations"]
    assert needs["suggested"]["layout"] == "wide_date"
    assert needs["suggested"]["metric"] == "confirmed"
    assert needs["suggested"]["unknown_sublocations"] == "ignore"  # the UK is also given as a whole
    unknown = {p["value"] for p in result.report["problems"] if p["code"] == "unknown_location"}
    assert {"Diamond Princess", "Grand Princess", "Repatriated Travellers", "Channel Islands"} <= unknown


def test_jhu_time_series_normalises_every_date_column(jhu_final, reference_data):
    result = check(jhu_final, mapping={"unknown_sublocations": "ignore"})

    assert result.is_valid, result.report["counts"]
    frame = result.frame
    assert result.report["detected"]["sheets"][0]["layout"] == "wide_date"
    assert result.report["detected"]["sheets"][0]["date_columns"] == 1143
    left_out = 5 * 1143  # Canada x3, China "Unknown", UK "Channel Islands"
    assert len(frame) == 289 * 1143 - left_out
    assert frame["date"].min() == dt.datetime(2020, 1, 22)
    assert frame["date"].max() == dt.datetime(2023, 3, 9)
    assert value(frame, "AF", "confirmed", dt.datetime(2023, 3, 9)).value == 209451
    assert value(frame, "IT", "confirmed", dt.datetime(2023, 3, 9)).value == 25603510
    assert value(frame, "CN_HB", "confirmed", dt.datetime(2023, 3, 9)).row > 1  # "Hubei" is Hubei Sheng
    assert value(frame, "FO", "confirmed", dt.datetime(2023, 3, 9)).value > 0  # Faroe Islands under Denmark
    assert "cumulative_decrease" in result.report["counts"]  # JHU corrected itself downwards


def test_jhu_daily_report_2020_without_a_date_column_suggests_the_file_name_date(test_data, reference_data):
    result = check(test_data / "jhu_daily_reports/03-01-2020.csv")

    reasons = [r["code"] for r in result.report["needs_mapping"]["reasons"]]
    assert "no_date_column" in reasons
    assert result.report["needs_mapping"]["suggested"]["date"] == "2020-03-01"


def test_jhu_daily_report_2020_resolves_mainland_china_and_adds_up_us_cities(test_data, reference_data):
    mapping = {"date": "2020-03-01", "unknown_sublocations": "aggregate"}
    result = check(test_data / "jhu_daily_reports/03-01-2020.csv", mapping=mapping)

    assert result.is_valid, result.report["problems"][:5]
    frame = result.frame
    day = dt.datetime(2020, 3, 1)
    hubei = value(frame, "CN_HB", "confirmed", day)
    assert (hubei.value, hubei.row) == (66907, 2)
    assert value(frame, "CN_HB", "deaths", day).value == 2761
    assert value(frame, "KR", "confirmed", day).value == 3736
    assert value(frame, "IT", "recovered", day).value == 83
    assert value(frame, "SHIP_DIAMOND_PRINCESS", "confirmed", day).value == 705
    with open(test_data / "jhu_daily_reports/03-01-2020.csv", newline="") as handle:
        us_rows = [r for r in csv.DictReader(handle) if r["Country/Region"] == "US"]
    assert value(frame, "US", "confirmed", day).value == sum(int(r["Confirmed"]) for r in us_rows)
    assert "sublocations_aggregated" in result.report["counts"]


def test_jhu_daily_report_2021_adds_counties_up_into_their_state(test_data, reference_data):
    mapping = {
        "date": "2021-01-01",
        "unknown_sublocations": "aggregate",
        "locations": {
            "US / Diamond Princess": "",
            "US / Grand Princess": "",
            "US / Recovered": "",
            "US / Virgin Islands": "VI",  # else an unknown place inside the US: the US would get a total
        },
    }
    result = check(test_data / "jhu_daily_reports/01-01-2021.csv", mapping=mapping)

    assert result.is_valid, result.report["problems"][:5]
    frame = result.frame
    day = dt.datetime(2021, 1, 1)
    with open(test_data / "jhu_daily_reports/01-01-2021.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    california = [r for r in rows if r["Province_State"] == "California" and r["Country_Region"] == "US"]
    assert len(california) > 50
    assert value(frame, "US_CA", "confirmed", day).value == sum(int(r["Confirmed"]) for r in california)
    assert value(frame, "US_CA", "deaths", day).value == sum(int(r["Deaths"]) for r in california)
    assert value(frame, "AF", "confirmed", day).value == 52513
    assert frame[frame["location_key"] == "US"].empty  # the states are kept, not folded into the country
    assert "location_ignored" in result.report["counts"]
    json.dumps(result.report)


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("dpc-covid19-ita-regioni-20200301.csv", dt.datetime(2020, 3, 1)),
        ("dpc-covid19-ita-regioni-20210115.csv", dt.datetime(2021, 1, 15)),
    ],
)
def test_protezione_civile_regions_map_to_iso_subdivisions(test_data, reference_data, name, day):
    result = check(test_data / f"italy_pcm_dpc/{name}")

    assert result.is_valid, result.report["problems"][:5]
    frame = result.frame
    assert len(frame) == 21 * 6  # 21 regions and autonomous provinces x six metrics
    assert set(frame["metric"]) == {"confirmed", "deaths", "recovered", "tests", "hospitalized", "icu"}
    assert set(frame["date"]) == {day}
    assert {"IT_TN", "IT_BZ", "IT_25", "IT_23"} <= set(frame["location_key"])
    with open(test_data / "italy_pcm_dpc" / name, newline="") as handle:
        source = {r["denominazione_regione"]: r for r in csv.DictReader(handle)}
    trento = value(frame, "IT_TN", "confirmed", day)
    assert trento.value == float(source["P.A. Trento"]["totale_casi"])
    assert value(frame, "IT_BZ", "icu", day).value == float(source["P.A. Bolzano"]["terapia_intensiva"])
    assert value(frame, "IT_25", "deaths", day).value == float(source["Lombardia"]["deceduti"])
    assert value(frame, "IT_25", "tests", day).value == float(source["Lombardia"]["tamponi"])


def test_protezione_civile_2021_values(test_data, reference_data):
    frame = check(test_data / "italy_pcm_dpc/dpc-covid19-ita-regioni-20210115.csv").frame

    day = dt.datetime(2021, 1, 15)
    assert value(frame, "IT_65", "confirmed", day).value == 38834  # Abruzzo, row 2
    assert value(frame, "IT_65", "confirmed", day).row == 2
    assert value(frame, "IT_TN", "hospitalized", day).value == 346


def test_workbook_with_one_sheet_per_country_uses_sheet_names_as_locations(test_data, reference_data):
    result = check(test_data / "xlsx/My_per_day_cases.xlsx")

    sheets = {s["sheet"]: s["location"] for s in result.report["detected"]["sheets"]}
    assert sheets == {"Nigeria daily covid": "NG", "USA daily covid": "US", "Italy": "IT", "Korea": "KR", "China": "CN"}
    # The USA sheet gives 29 and 30 January twice, with different figures: the file must be fixed.
    conflicts = result.problems[result.problems["code"] == "conflicting_duplicate"]
    assert set(conflicts["sheet"]) == {"USA daily covid"}
    assert sorted(conflicts["row"]) == [2, 3, 33, 34]
    assert not result.is_valid
    assert "formula_in_cell" in result.report["counts"]
    json.dumps(result.report)


def test_workbook_sheets_can_be_chosen_in_the_mapping(test_data, reference_data):
    mapping = {"sheets": ["Nigeria daily covid", "Italy", "Korea", "China"]}
    result = check(test_data / "xlsx/My_per_day_cases.xlsx", mapping=mapping)

    assert result.is_valid, result.report["problems"][:5]
    frame = result.frame
    assert set(frame["location_key"]) == {"NG", "IT", "KR", "CN"}
    assert set(frame["metric"]) == {"confirmed"}  # "New Cases" and "Days after..." are not stored
    assert value(frame, "IT", "confirmed", dt.datetime(2020, 3, 30)).value == 92472
    assert value(frame, "KR", "confirmed", dt.datetime(2020, 1, 20)).value == 1
    assert value(frame, "NG", "confirmed", dt.datetime(2020, 3, 30)).value == 131
    # Italy gives 15 February twice with the same figure (rows 19 and 20): counted once, with a warning.
    assert frame.groupby("location_key").size().to_dict() == {"CN": 61, "IT": 62, "KR": 71, "NG": 51}
    repeated = result.problems[result.problems["code"] == "duplicate_row"]
    assert repeated[["sheet", "row"]].values.tolist() == [["Italy", 20]]


def test_state_table_without_dates_needs_a_constant_date(test_data, reference_data):
    result = check(test_data / "xlsx/Covid_19_cases_Nigeria.xlsx", default_country="NG")

    assert not result.is_valid
    reasons = {r["code"] for r in result.report["needs_mapping"]["reasons"]}
    assert reasons == {"no_date_column", "ambiguous_metric_columns"}
    suggested = result.report["needs_mapping"]["suggested"]
    assert suggested["metrics"] == {
        "Total Confirmed cases (Nigeria National)": "confirmed",
        "Total Confirmed cases (Foreign National)": "confirmed",
        "Cured": "recovered",
        "Death": "deaths",
    }
    assert suggested["location_columns"] == ["Name of States/FCT"]


def test_state_table_with_a_constant_date_adds_up_both_confirmed_columns(test_data, reference_data):
    mapping = {
        "date": "2020-03-30",
        "metrics": {
            "Total Confirmed cases (Nigeria National)": "confirmed",
            "Total Confirmed cases (Foreign National)": "confirmed",
            "Cured": "recovered",
            "Death": "deaths",
        },
    }
    result = check(test_data / "xlsx/Covid_19_cases_Nigeria.xlsx", mapping=mapping, default_country="NG")

    assert result.is_valid, result.report["problems"][:5]
    frame = result.frame
    assert len(frame) == 12 * 3
    day = dt.datetime(2020, 3, 30)
    abuja = value(frame, "NG_FC", "confirmed", day)  # "Abuja FCT"
    assert (abuja.value, abuja.row) == (28, 2)
    assert value(frame, "NG_EN", "confirmed", day).value == 2  # Enugu
    assert set(frame["sheet"]) == {"Sheet1"}
