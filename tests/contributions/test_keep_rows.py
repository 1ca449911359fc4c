"""What a mapping leaves out on purpose, always counted: rows whose column has other values than those
kept (keep_rows, offered from each sheet's few distinct values), a recipe's key cleared with None, and
the recipe itself switched off (use_recipe: False)."""

import csv
import datetime as dt

import pandas as pd

from contributions.parsing import parse_file
from contributions.validation import validate
from contributions.validation.filters import MAX_FILTER_VALUES, distinct_values
from contributions.validation.run import merge_mapping
from sources.models import SourceRecipe
from tests.contributions.validation.builders import codes, run, values

FR = "real/fr_opencovid19_chiffres-cles_20200411.csv"
KEEP = {"granularite": ["departement"], "source_nom": ["Santé publique France Data"]}


def check(path, mapping):
    parsed = parse_file(path, filename=path.name, mapping=mapping)
    return validate(parsed, mapping=mapping, default_country="FR", today=dt.date(2023, 12, 31))


def test_frances_file_keeps_one_publisher_and_one_level_and_counts_the_rows_left_out(test_data, reference_data):
    mapping = {"location_columns": ["maille_nom"], "keep_rows": KEEP, "locations": {"Guyane": "GF"}}

    result = check(test_data / FR, mapping)

    assert result.is_valid, result.report["problems"][:5]
    with open(test_data / FR, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kept = [r for r in rows if r["granularite"] == "departement" and r["source_nom"] == KEEP["source_nom"][0]]
    left_out = [p for p in result.report["problems"] if p["code"] == "rows_not_kept"]
    assert [(p["column"], p["row_count"]) for p in left_out] == [
        ("granularite", sum(r["granularite"] != "departement" for r in rows)),
        ("source_nom", sum(r["granularite"] == "departement" for r in rows) - len(kept)),
    ]
    assert sum(p["row_count"] for p in left_out) + len(kept) == len(rows)
    assert "keeps only the rows whose column 'granularite' is 'departement'" in left_out[0]["message"]
    assert all(p["severity"] == "warning" for p in left_out)
    frame = result.frame
    hospitalised = frame[frame["metric"] == "hospitalized"].set_index("row")["value"]
    number = {id(r): i + 2 for i, r in enumerate(rows)}
    assert set(frame["row"]) == {number[id(r)] for r in kept}
    assert hospitalised.to_dict() == {number[id(r)]: int(r["hospitalises"]) for r in kept if r["hospitalises"]}
    paris = next(r for r in kept if r["maille_nom"] == "Paris" and r["date"] == "2020-03-20")
    assert frame[frame["row"] == number[id(paris)]]["location_key"].iloc[0] == "FR_75C"


def test_the_report_offers_the_few_values_of_each_column_as_row_filters(test_data, reference_data):
    result = check(test_data / FR, {"location_columns": ["maille_nom"]})

    offered = result.report["detected"]["sheets"][0]["values"]
    assert offered["granularite"] == ["collectivite-outremer", "departement", "monde", "pays", "region"]
    assert len(offered["source_type"]) == 7
    assert "maille_nom" not in offered  # 121 places: too many to offer
    assert "cas_confirmes" not in offered  # values, never a filter


def test_distinct_values_stop_at_the_cap_and_read_every_row_of_the_columns_that_qualify():
    frame = pd.DataFrame(
        {
            "level": ["a"] * 300_000 + ["b"] * 10 + ["c"],
            "number": [str(i) for i in range(300_011)],
            "blank": [""] * 300_011,
        }
    )

    found = distinct_values(frame, ["level", "number", "blank"])

    assert found == {"level": ["a", "b", "c"]}  # "c" is on the last row
    assert MAX_FILTER_VALUES < 300_011  # the cap is what left "number" out


def test_a_filter_on_a_column_the_file_lacks_is_a_mapping_error(reference_data):
    result = run("date,location,confirmed\n2020-03-01,IT,1\n", mapping={"keep_rows": {"source": ["x"]}})

    assert not result.is_valid
    entry = next(p for p in result.report["problems"] if p["code"] == "bad_mapping")
    assert entry["message"] == "keep_rows: the column 'source' is not in the file."


def test_a_filter_keeps_only_the_rows_with_the_values_given(reference_data):
    text = "date,location,confirmed,publisher\n2020-03-01,IT,1,A\n2020-03-01,IT,2,B\n2020-03-02,IT,3, A \n"

    result = run(text, mapping={"keep_rows": {"publisher": ["A"]}, "ignore": ["publisher"]})

    assert values(result) == {("IT", "confirmed", "2020-03-01"): 1, ("IT", "confirmed", "2020-03-02"): 3}
    entry = next(p for p in result.report["problems"] if p["code"] == "rows_not_kept")
    assert entry["rows"] == [3]
    assert "'B'" in entry["message"]
    assert "conflicting_duplicate" not in codes(result)


RECIPE = {"date_column": "giorno", "location": "IT", "metrics": {"morti": "deaths"}}


def test_a_key_set_to_none_clears_the_recipes_value_and_is_not_kept():
    recipe = SourceRecipe(layout="wide_metric", mapping=RECIPE)

    merged = merge_mapping({"location": None, "metrics": {"morti": "deaths", "positivi": "confirmed"}}, recipe)

    assert merged == {
        "layout": "wide_metric",
        "date_column": "giorno",
        "metrics": {"morti": "deaths", "positivi": "confirmed"},
    }


def test_use_recipe_false_leaves_the_recipe_out():
    recipe = SourceRecipe(layout="wide_metric", mapping=RECIPE)

    assert merge_mapping({"use_recipe": False, "date": "2020-03-01"}, recipe) == {
        "use_recipe": False,
        "date": "2020-03-01",
    }
    assert merge_mapping({"use_recipe": True}, recipe)["location"] == "IT"


def test_a_cleared_recipe_key_is_detected_again(reference_data):
    recipe = SourceRecipe(layout="wide_metric", mapping=RECIPE)
    text = "giorno,regione,morti\n2020-03-01,Lombardia,34\n"

    with_recipe = run(text, recipe=recipe, country="IT")
    cleared = run(text, recipe=recipe, country="IT", mapping={"location": None})

    assert values(with_recipe) == {("IT", "deaths", "2020-03-01"): 34}  # every row put on Italy
    assert values(cleared) == {("IT_25", "deaths", "2020-03-01"): 34}  # the region column, detected
    assert "location" not in cleared.report["mapping"]
