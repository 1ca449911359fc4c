"""Validation turns any supported layout into one long frame and a report that explains every problem."""

import pandas as pd
import pytest

from .builders import codes, run, values


def test_long_file_gives_one_row_per_value(reference_data):
    result = run("date,location,metric,value\n2020-03-01,IT,confirmed,1694\n2020-03-01,IT,deaths,34\n")

    assert result.is_valid
    assert values(result) == {("IT", "confirmed", "2020-03-01"): 1694, ("IT", "deaths", "2020-03-01"): 34}
    assert result.frame["row"].tolist() == [2, 3]
    assert str(result.frame["date"].dtype) == "datetime64[s]"
    assert result.report["detected"]["sheets"][0]["layout"] == "long"


@pytest.mark.parametrize(
    ("header", "country", "key"),
    [
        ("fecha;provincia;casos;fallecidos", "ES", "ES_AN"),
        ("Datum;Bundesland;Fälle;Todesfälle", "DE", "DE_BY"),
        ("data;estado;casos;óbitos", "BR", "BR_SP"),
        ("date;région;cas;décès", "FR", "FR_BRE"),
    ],
)
def test_wide_files_with_headers_in_other_languages(reference_data, header, country, key):
    names = {"ES_AN": "Andalucía", "DE_BY": "Bayern", "BR_SP": "São Paulo", "FR_BRE": "Bretagne"}
    result = run(f"{header}\n2020-04-01;{names[key]};1.234;56\n", country=country)

    assert result.is_valid, result.report["problems"]
    assert values(result) == {(key, "confirmed", "2020-04-01"): 1234, (key, "deaths", "2020-04-01"): 56}


def test_a_file_without_a_location_column_asks_for_one_and_suggests_the_country(reference_data):
    text = "date,confirmed\n2020-03-01,1694\n"

    asked = run(text, country="IT")
    mapped = run(text, country="IT", mapping={"location": "IT"})

    assert asked.report["needs_mapping"]["suggested"]["location"] == "IT"
    assert values(mapped) == {("IT", "confirmed", "2020-03-01"): 1694}


def test_a_recipe_maps_the_next_upload_and_the_mapping_wins_over_it(reference_data):
    from sources.models import SourceRecipe

    recipe = SourceRecipe(
        layout="wide_metric",
        mapping={"date_column": "giorno", "location": "IT", "metrics": {"morti": "deaths", "positivi": "confirmed"}},
    )
    text = "giorno,morti,positivi\n2020-03-01,34,1694\n"

    from_recipe = run(text, recipe=recipe)
    overridden = run(text, recipe=recipe, mapping={"metrics": {"morti": "deaths"}})

    assert values(from_recipe) == {("IT", "deaths", "2020-03-01"): 34, ("IT", "confirmed", "2020-03-01"): 1694}
    assert values(overridden) == {("IT", "deaths", "2020-03-01"): 34}


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

    assert back.columns.tolist() == [
        "location_id",
        "location_key",
        "metric_id",
        "metric",
        "date",
        "value",
        "row",
        "sheet",
    ]
    assert back["value"].tolist() == result.frame["value"].tolist()


def test_an_unknown_mapping_key_is_reported(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,1\n", mapping={"colour": "red"})

    assert result.is_valid
    assert "bad_mapping" in codes(result)
