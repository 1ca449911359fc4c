"""Places and metrics: found by key, code, alias or name, inside the country; unknown ones explained."""

import pytest

from .builders import run, values


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("IT_25", "IT_25"),
        ("IT-25", "IT_25"),
        ("ITA", "IT"),
        ("it", "IT"),
        ("Mainland China", "CN"),
        ("Korea, South", "KR"),
        ("côte d'ivoire", "CI"),
        ("COTE D IVOIRE", "CI"),
    ],
)
def test_locations_by_key_code_alias_and_name(reference_data, text, key):
    result = run(f'date,location,metric,value\n2020-03-01,"{text}",confirmed,1\n')

    assert result.frame["location_key"].tolist() == [key]


def test_names_are_looked_up_inside_the_submissions_country(reference_data):
    us = run("date,state,confirmed\n2020-03-01,Georgia,1\n", country="US")
    world = run("date,location,confirmed\n2020-03-01,Georgia,1\n")

    assert us.frame["location_key"].tolist() == ["US_GA"]
    assert world.frame["location_key"].tolist() == ["GE"]


def test_unknown_name_lists_its_rows_and_the_closest_known_names(reference_data):
    result = run(
        "date,regione,totale_casi\n2020-03-01,Lombardi,1\n2020-03-02,Lombardi,2\n2020-03-02,Veneto,3\n", country="IT"
    )

    problem = next(p for p in result.report["problems"] if p["code"] == "unknown_location")
    assert problem["rows"] == [2, 3]
    assert problem["row_count"] == 2
    assert "Lombardia (IT_25)" in problem["suggestions"]
    assert "Lombardia (IT_25)" in problem["message"]


def test_the_mapping_can_name_a_location_for_an_unknown_name(reference_data):
    result = run(
        "date,regione,totale_casi\n2020-03-01,Lombardi,1\n", country="IT", mapping={"locations": {"Lombardi": "IT_25"}}
    )

    assert values(result) == {("IT_25", "confirmed", "2020-03-01"): 1}


def test_protezione_civile_names_and_codes_resolve(reference_data):
    result = run(
        "data,denominazione_regione,deceduti\n2020-03-01,P.A. Trento,1\n2020-03-01,P.A. Bolzano,2\n"
        "2020-03-01,Valle d'Aosta,3\n",
        country="IT",
    )
    by_code = run(
        "data,codice_regione,deceduti\n2020-03-01,22,1\n2020-03-01,21,2\n",
        country="IT",
        mapping={"location_columns": ["codice_regione"]},
    )

    assert set(result.frame["location_key"]) == {"IT_TN", "IT_BZ", "IT_23"}
    assert by_code.frame["location_key"].tolist() == ["IT_BZ", "IT_TN"]


def test_sublocations_of_a_country_the_file_gives_whole_are_left_out_not_counted_twice(reference_data):
    text = "date,country,province,confirmed\n2020-03-01,Canada,,100\n2020-03-01,Canada,Ontario,60\n"
    text += "2020-03-01,Canada,Atlantis,40\n"

    result = run(text, mapping={"unknown_sublocations": "aggregate"})

    assert result.is_valid, result.report["problems"]
    assert values(result) == {("CA", "confirmed", "2020-03-01"): 100, ("CA_ON", "confirmed", "2020-03-01"): 60}
    left_out = next(p for p in result.report["problems"] if p["code"] == "sublocations_ignored")
    assert "Canada (CA) is given in the file itself" in left_out["message"]
    assert "'Atlantis' (1 row)" in left_out["message"]
    assert left_out["rows"] == [4]


def test_a_file_of_thousands_of_unknown_names_gets_a_short_report(reference_data):
    rows = "".join(f"2020-03-01,Place {i},confirmed,1\n2020-03-01,IT,metric {i},1\n" for i in range(3000))

    result = run("date,location,metric,value\n" + rows)

    unknown = [p for p in result.report["problems"] if p["code"] == "unknown_location"]
    assert len(unknown) == 201  # 200 named one by one, then one summary of the rest
    assert "2,800 more distinct values" in unknown[-1]["message"]
    assert result.report["counts"]["unknown_location"] == 3000
    assert result.report["counts"]["unknown_metric"] == 3000
    assert len(result.problems[result.problems["code"] == "unknown_location"]) == 3000  # all rows in the CSV


@pytest.mark.parametrize(
    ("word", "metric"),
    [
        ("deceduti", "deaths"),
        ("fallecidos", "deaths"),
        ("décès", "deaths"),
        ("Todesfälle", "deaths"),
        ("óbitos", "deaths"),
        ("totale_casi", "confirmed"),
        ("tamponi", "tests"),
        ("casos", "confirmed"),
        ("muertes", "deaths"),
        ("terapia_intensiva", "icu"),
        ("totale_ospedalizzati", "hospitalized"),
        ("dimessi_guariti", "recovered"),
    ],
)
def test_metric_names_in_several_languages(reference_data, word, metric):
    result = run(f"date,location,metric,value\n2020-03-01,IT,{word},5\n")

    assert values(result) == {("IT", metric, "2020-03-01"): 5}
