"""Validation turns any supported layout into one long frame and explains every problem it finds."""
import datetime as dt

import pandas as pd
import pytest

from contributions.parsing import parse_bytes
from contributions.validation import read_dates, validate

TODAY = dt.date(2023, 3, 10)


def run(text, *, mapping=None, recipe=None, country=None, filename="upload.csv"):
    data = text.encode() if isinstance(text, str) else text
    parsed = parse_bytes(data, filename=filename, mapping=mapping)
    return validate(parsed, mapping=mapping, recipe=recipe, default_country=country, today=TODAY)


def values(result):
    return {(r.location_key, r.metric, r.date.strftime("%Y-%m-%d")): r.value for r in result.frame.itertuples()}


def codes(result):
    return set(result.report["counts"])


def test_long_file_gives_one_row_per_value(reference_data):
    result = run("date,location,metric,value\n2020-03-01,IT,confirmed,1694\n2020-03-01,IT,deaths,34\n")

    assert result.is_valid
    assert values(result) == {("IT", "confirmed", "2020-03-01"): 1694, ("IT", "deaths", "2020-03-01"): 34}
    assert result.frame["row"].tolist() == [2, 3]
    assert str(result.frame["date"].dtype) == "datetime64[s]"
    assert result.report["detected"]["sheets"][0]["layout"] == "long"


@pytest.mark.parametrize("word,metric", [
    ("deceduti", "deaths"), ("fallecidos", "deaths"), ("décès", "deaths"), ("Todesfälle", "deaths"),
    ("óbitos", "deaths"), ("totale_casi", "confirmed"), ("tamponi", "tests"), ("casos", "confirmed"),
    ("muertes", "deaths"), ("terapia_intensiva", "icu"), ("totale_ospedalizzati", "hospitalized"),
    ("dimessi_guariti", "recovered"),
])
def test_metric_names_in_several_languages(reference_data, word, metric):
    result = run(f"date,location,metric,value\n2020-03-01,IT,{word},5\n")

    assert values(result) == {("IT", metric, "2020-03-01"): 5}


@pytest.mark.parametrize("header,country,key", [
    ("fecha;provincia;casos;fallecidos", "ES", "ES_AN"),
    ("Datum;Bundesland;Fälle;Todesfälle", "DE", "DE_BY"),
    ("data;estado;casos;óbitos", "BR", "BR_SP"),
    ("date;région;cas;décès", "FR", "FR_BRE"),
])
def test_wide_files_with_headers_in_other_languages(reference_data, header, country, key):
    names = {"ES_AN": "Andalucía", "DE_BY": "Bayern", "BR_SP": "São Paulo", "FR_BRE": "Bretagne"}
    result = run(f"{header}\n2020-04-01;{names[key]};1.234;56\n", country=country)

    assert result.is_valid, result.report["problems"]
    assert values(result) == {(key, "confirmed", "2020-04-01"): 1234, (key, "deaths", "2020-04-01"): 56}


@pytest.mark.parametrize("texts,expected", [
    (["1/22/20", "3/9/23"], [dt.date(2020, 1, 22), dt.date(2023, 3, 9)]),
    (["22.01.2020", "09.03.2023"], [dt.date(2020, 1, 22), dt.date(2023, 3, 9)]),
    (["22/01/2020", "09/03/2023"], [dt.date(2020, 1, 22), dt.date(2023, 3, 9)]),
    (["2020-03-01T17:00:00", "2021-01-02 05:22:33"], [dt.date(2020, 3, 1), dt.date(2021, 1, 2)]),
    (["43859", "43860"], [dt.date(2020, 1, 29), dt.date(2020, 1, 30)]),
    (["20200301"], [dt.date(2020, 3, 1)]),
])
def test_date_formats(texts, expected):
    reading = read_dates(texts)

    assert [reading.dates[t] for t in texts] == expected
    assert reading.ambiguous is None


def test_day_month_ambiguity_asks_for_the_format_and_the_mapping_settles_it(reference_data):
    text = "date,location,metric,value\n01/02/2020,IT,confirmed,1\n03/04/2020,IT,confirmed,2\n"

    asked = run(text)
    settled = run(text, mapping={"date_format": "%d/%m/%Y"})

    assert [r["code"] for r in asked.report["needs_mapping"]["reasons"]] == ["ambiguous_date_format"]
    assert values(settled) == {("IT", "confirmed", "2020-02-01"): 1, ("IT", "confirmed", "2020-04-03"): 2}


@pytest.mark.parametrize("text,key", [
    ("IT_25", "IT_25"), ("IT-25", "IT_25"), ("ITA", "IT"), ("it", "IT"), ("Mainland China", "CN"),
    ("Korea, South", "KR"), ("côte d'ivoire", "CI"), ("COTE D IVOIRE", "CI"),
])
def test_locations_by_key_code_alias_and_name(reference_data, text, key):
    result = run(f'date,location,metric,value\n2020-03-01,"{text}",confirmed,1\n')

    assert result.frame["location_key"].tolist() == [key]


def test_names_are_looked_up_inside_the_submissions_country(reference_data):
    us = run("date,state,confirmed\n2020-03-01,Georgia,1\n", country="US")
    world = run("date,location,confirmed\n2020-03-01,Georgia,1\n")

    assert us.frame["location_key"].tolist() == ["US_GA"]
    assert world.frame["location_key"].tolist() == ["GE"]


def test_unknown_name_lists_its_rows_and_the_closest_known_names(reference_data):
    result = run("date,regione,totale_casi\n2020-03-01,Lombardi,1\n2020-03-02,Lombardi,2\n2020-03-02,Veneto,3\n",
                 country="IT")

    problem = next(p for p in result.report["problems"] if p["code"] == "unknown_location")
    assert problem["rows"] == [2, 3]
    assert problem["row_count"] == 2
    assert "Lombardia (IT_25)" in problem["suggestions"]
    assert "Lombardia (IT_25)" in problem["message"]


def test_the_mapping_can_name_a_location_for_an_unknown_name(reference_data):
    result = run("date,regione,totale_casi\n2020-03-01,Lombardi,1\n", country="IT",
                 mapping={"locations": {"Lombardi": "IT_25"}})

    assert values(result) == {("IT_25", "confirmed", "2020-03-01"): 1}


def test_protezione_civile_names_and_codes_resolve(reference_data):
    result = run("data,denominazione_regione,deceduti\n2020-03-01,P.A. Trento,1\n2020-03-01,P.A. Bolzano,2\n"
                 "2020-03-01,Valle d'Aosta,3\n", country="IT")
    by_code = run("data,codice_regione,deceduti\n2020-03-01,22,1\n2020-03-01,21,2\n", country="IT",
                  mapping={"location_columns": ["codice_regione"]})

    assert set(result.frame["location_key"]) == {"IT_TN", "IT_BZ", "IT_23"}
    assert by_code.frame["location_key"].tolist() == ["IT_BZ", "IT_TN"]


def test_a_file_without_a_location_column_asks_for_one_and_suggests_the_country(reference_data):
    text = "date,confirmed\n2020-03-01,1694\n"

    asked = run(text, country="IT")
    mapped = run(text, country="IT", mapping={"location": "IT"})

    assert asked.report["needs_mapping"]["suggested"]["location"] == "IT"
    assert values(mapped) == {("IT", "confirmed", "2020-03-01"): 1694}


def test_a_recipe_maps_the_next_upload_and_the_mapping_wins_over_it(reference_data):
    from sources.models import SourceRecipe

    recipe = SourceRecipe(layout="wide_metric", mapping={"date_column": "giorno", "location": "IT",
                                                          "metrics": {"morti": "deaths", "positivi": "confirmed"}})
    text = "giorno,morti,positivi\n2020-03-01,34,1694\n"

    from_recipe = run(text, recipe=recipe)
    overridden = run(text, recipe=recipe, mapping={"metrics": {"morti": "deaths"}})

    assert values(from_recipe) == {("IT", "deaths", "2020-03-01"): 34, ("IT", "confirmed", "2020-03-01"): 1694}
    assert values(overridden) == {("IT", "deaths", "2020-03-01"): 34}


def test_decimal_comma_and_thousands_dots_are_read(reference_data):
    result = run("data;luogo;tamponi\n01.03.2020;IT;1.234.567\n02.03.2020;IT;1.300.000,0\n")

    assert values(result) == {("IT", "tests", "2020-03-01"): 1234567, ("IT", "tests", "2020-03-02"): 1300000}


def test_spaces_as_thousands_separators_are_read(reference_data):
    result = run("date,location,confirmed\n2020-03-01,FR,12 345\n")

    assert values(result) == {("FR", "confirmed", "2020-03-01"): 12345}


def test_negative_values_are_a_warning_not_an_error(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,-5\n")

    assert result.is_valid
    assert "negative_value" in codes(result)


def test_a_cumulative_series_that_falls_is_a_warning(reference_data):
    result = run("date,location,confirmed,hospitalized\n2020-03-01,IT,100,50\n2020-03-02,IT,90,40\n")

    assert result.is_valid
    warning = next(p for p in result.report["problems"] if p["code"] == "cumulative_decrease")
    assert warning["row"] == 3
    assert "confirmed" in warning["message"] and "100" in warning["message"]
    assert result.report["counts"]["cumulative_decrease"] == 1  # hospitalised is a level, it may fall


def test_an_implausible_jump_is_a_warning(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,1694\n2020-03-02,IT,20360\n2020-03-03,IT,20400\n")

    assert result.is_valid
    assert [p["row"] for p in result.report["problems"] if p["code"] == "implausible_jump"] == [3]


def test_identical_duplicates_are_kept_once_with_a_warning(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,1694\n2020-03-01,Italy,1694\n")

    assert result.is_valid
    assert len(result.frame) == 1
    assert "duplicate_row" in codes(result)


def test_problems_frame_has_one_line_per_affected_row(reference_data):
    result = run("date,location,confirmed\n2020-03-01,Atlantis,1\n2020-03-02,Atlantis,x\n2020-03-03,Atlantis,2\n")

    problems = result.problems
    unknown = problems[problems["code"] == "unknown_location"]
    assert unknown["row"].tolist() == [2, 3, 4]
    assert problems[problems["code"] == "value_not_numeric"]["row"].tolist() == [3]


def test_the_normalised_frame_round_trips_through_parquet(reference_data, tmp_path):
    result = run("date,location,confirmed,deaths\n2020-03-01,IT,1694,34\n")

    result.write_parquet(tmp_path / "normalised.parquet")
    back = pd.read_parquet(tmp_path / "normalised.parquet")

    assert back.columns.tolist() == ["location_id", "location_key", "metric_id", "metric", "date", "value", "row",
                                     "sheet"]
    assert back["value"].tolist() == result.frame["value"].tolist()


def test_an_unknown_mapping_key_is_reported(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,1\n", mapping={"colour": "red"})

    assert result.is_valid
    assert "bad_mapping" in codes(result)


def test_sublocations_in_a_country_given_whole_cannot_be_added_up(reference_data):
    text = ("country,province,confirmed\nCanada,,100\nCanada,Ontario,60\nCanada,Atlantis,40\n")

    result = run(text.replace("country", "date,country").replace("\nCanada", "\n2020-03-01,Canada"),
                 mapping={"unknown_sublocations": "aggregate"})

    assert not result.is_valid
    assert "partial_aggregate" in codes(result)


def test_a_file_of_thousands_of_unknown_names_gets_a_short_report(reference_data):
    rows = "".join(f"2020-03-01,Place {i},confirmed,1\n2020-03-01,IT,metric {i},1\n" for i in range(3000))

    result = run("date,location,metric,value\n" + rows)

    unknown = [p for p in result.report["problems"] if p["code"] == "unknown_location"]
    assert len(unknown) == 201  # 200 named one by one, then one summary of the rest
    assert "2,800 more distinct values" in unknown[-1]["message"]
    assert result.report["counts"]["unknown_location"] == 3000
    assert result.report["counts"]["unknown_metric"] == 3000
    assert len(result.problems[result.problems["code"] == "unknown_location"]) == 3000  # all rows in the CSV


@pytest.mark.parametrize("text", [
    # out of key order, with an identical duplicate dropped on the way
    "date,location,metric,value\n2020-03-02,IT,deaths,40\n2020-03-01,FR,confirmed,100\n2020-03-01,IT,deaths,34\n"
    "2020-03-01,Italy,deaths,34\n2020-03-01,IT,confirmed,1694\n",
    # already in key order, one row without a value
    "date,location,metric,value\n2020-03-01,FR,confirmed,100\n2020-03-01,IT,confirmed,\n2020-03-02,IT,confirmed,9\n",
])
def test_the_result_carries_the_observation_keys_of_its_rows(reference_data, text):
    from dataset.keys import observation_keys

    result = run(text)

    assert result.is_valid
    assert result.keys.tolist() == observation_keys(result.frame).tolist()
    assert result.keys.tolist() == sorted(result.keys.tolist())


def test_the_paths_for_big_files_give_the_same_frame_as_those_for_small_ones(reference_data, monkeypatch):
    """Runs of equal texts, side-by-side work and reused buffers start at 100,000 rows: the same
    file above and below that size gives the same values."""
    from common import parallel
    from contributions.validation import encoding

    lines = ["date,location,metric,value"]
    for location in ("IT", "FR", "DE"):
        for metric in ("deaths", "confirmed"):
            for day in range(1, 29):
                lines.append(f"2020-02-{day:02d},{location},{metric},{day * 10 + len(location)}")
    text = "\n".join(lines[:1] + lines[:0:-1]) + "\n"  # reversed: the rows must be sorted
    small_file_paths = run(text)
    monkeypatch.setattr(encoding, "RUNS_FROM_ROWS", 10)
    monkeypatch.setattr(encoding, "RUNS_PROBE", 50)
    monkeypatch.setattr(parallel, "MIN_ROWS", 10)
    big_file_paths = run(text)

    assert small_file_paths.is_valid and big_file_paths.is_valid
    pd.testing.assert_frame_equal(small_file_paths.frame, big_file_paths.frame)
    assert small_file_paths.keys.tolist() == big_file_paths.keys.tolist()
    assert values(big_file_paths)[("IT", "deaths", "2020-02-03")] == 32
    assert len(big_file_paths.frame) == 3 * 2 * 28


@pytest.mark.parametrize("cells,expected", [
    (["1694", "0012", "7"], [1694, 12, 7]),  # whole numbers: one cast
    (["7"] * 50 + ["-5", "2.5", ".5", "+3"], [7] * 50 + [-5, 2.5, 0.5, 3]),  # a few others: checked one by one
    (["7"] * 5 + ["-5", "-6"], None),  # many others: the careful path
    (["1694", "1e5"], None), (["1694", " 12"], None), (["1694", ""], None), (["1694", "nan"], None),
    (["1,694", "12"], None), ([], None),
])
def test_plain_value_columns_are_cast_at_once_and_anything_else_gets_the_careful_path(cells, expected):
    import pyarrow as pa

    from contributions.parsing import ParsedFile
    from contributions.validation.values import plain_values

    values = plain_values(ParsedFile(decimal="."), pa.array(cells, pa.large_string()))

    assert (values.tolist() if values is not None else None) == expected


def test_values_the_fast_path_refuses_are_still_read_or_reported(reference_data):
    padded = run("date,location,confirmed\n2020-03-01,IT, 12\n2020-03-02,IT,\n")
    exponent = run("date,location,confirmed\n2020-03-01,IT,12\n2020-03-02,IT,1e5\n")

    assert padded.is_valid
    assert values(padded) == {("IT", "confirmed", "2020-03-01"): 12}  # the empty cell left out
    assert [(p["code"], p["row"]) for p in exponent.report["problems"]] == [("value_exponent", 3)]
