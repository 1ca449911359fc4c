"""Places the reference data does not know: added up into the place above them with the known ones kept,
left out and named, or reported with the place they were looked for in (for mapping entries limited to
one parent)."""

from tests.contributions.validation.builders import codes, run, values

PROVINCES = (
    "data,denominazione_regione,denominazione_provincia,totale_casi\n"
    "2020-03-01,Lombardia,Bergamo,100\n"
    "2020-03-01,Lombardia,Brescia,50\n"
    "2020-03-01,Lombardia,In fase di definizione/aggiornamento,7\n"
    "2020-03-02,Lombardia,Bergamo,120\n"
    "2020-03-02,Lombardia,Brescia,60\n"
    "2020-03-02,Lombardia,In fase di definizione/aggiornamento,3\n"
    "2020-03-02,Lombardia,Fuori Regione / Provincia Autonoma,2\n"
    "2020-03-01,Veneto,Padova,30\n"
    "2020-03-01,Veneto,Verona,20\n"
)


def test_adding_up_unknown_provinces_keeps_the_known_ones_and_sums_the_region(reference_data):
    result = run(PROVINCES, country="IT", mapping={"unknown_sublocations": "aggregate"})

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("IT_BG", "confirmed", "2020-03-01"): 100,
        ("IT_BS", "confirmed", "2020-03-01"): 50,
        ("IT_BG", "confirmed", "2020-03-02"): 120,
        ("IT_BS", "confirmed", "2020-03-02"): 60,
        ("IT_PD", "confirmed", "2020-03-01"): 30,
        ("IT_VR", "confirmed", "2020-03-01"): 20,
        # Lombardia's total: its known provinces and the names we do not know; Veneto is complete
        ("IT_25", "confirmed", "2020-03-01"): 157,
        ("IT_25", "confirmed", "2020-03-02"): 185,
    }
    added = [p for p in result.report["problems"] if p["code"] == "sublocations_aggregated" and p.get("parent")]
    assert len(added) == 1
    assert added[0]["parent"] == "IT_25"
    assert added[0]["message"].startswith("2 names not known inside Lombardia (IT_25) were added into Lombardia:")
    assert "'In fase di definizione/aggiornamento' (2 rows)" in added[0]["message"]
    assert "'Fuori Regione / Provincia Autonoma' (1 row)" in added[0]["message"]
    assert "2 places inside it that we know, which keep their own values too" in added[0]["message"]
    assert added[0]["rows"] == [4, 7, 8]


def test_a_region_the_file_gives_itself_keeps_its_own_value_and_its_unknown_parts_are_left_out(reference_data):
    text = PROVINCES + "2020-03-01,Veneto,,55\n2020-03-01,Veneto,Altrove,5\n"

    result = run(text, country="IT", mapping={"unknown_sublocations": "aggregate"})

    assert result.is_valid, result.report["problems"]
    got = values(result)
    assert got[("IT_34", "confirmed", "2020-03-01")] == 55  # not 55 + 5 (+ 30 + 20)
    assert got[("IT_PD", "confirmed", "2020-03-01")] == 30
    assert got[("IT_25", "confirmed", "2020-03-01")] == 157
    left_out = next(p for p in result.report["problems"] if p["code"] == "sublocations_ignored")
    assert left_out["parent"] == "IT_34"
    assert "Veneto (IT_34) is given in the file itself" in left_out["message"]
    assert "'Altrove' (1 row)" in left_out["message"]
    assert left_out["rows"] == [12]


def test_every_name_added_up_or_left_out_is_listed_with_its_rows(reference_data):
    unknown = [f"Comune {i}" for i in range(45)]
    rows = "".join(f"2020-03-01,Lombardia,{name},1\n" for name in unknown) + "2020-03-01,Lombardia,Comune 0,1\n"
    text = "data,denominazione_regione,denominazione_provincia,totale_casi\n2020-03-02,Lombardia,Bergamo,9\n" + rows

    added = run(text, country="IT", mapping={"unknown_sublocations": "aggregate"})
    ignored = run(text, country="IT", mapping={"unknown_sublocations": "ignore"})

    assert values(added)[("IT_25", "confirmed", "2020-03-01")] == 46
    assert values(ignored) == {("IT_BG", "confirmed", "2020-03-02"): 9}
    for result, code in [(added, "sublocations_aggregated"), (ignored, "sublocations_ignored")]:
        entry = next(p for p in result.report["problems"] if p["code"] == code and p.get("parent") == "IT_25")
        assert entry["message"].startswith("45 names not known inside Lombardia (IT_25)")
        assert all(f"'{name}' (" in entry["message"] for name in unknown)
        assert "'Comune 0' (2 rows)" in entry["message"]
        assert entry["row_count"] == 46
    assert "left out, as the mapping asks" in entry["message"]


def test_nested_summed_places_count_every_row_once(reference_data):
    text = (
        "date,country,state,county,confirmed\n"
        "2020-03-01,US,California,Alameda,10\n"
        "2020-03-01,US,California,Los Angeles,20\n"
        "2020-03-01,US,Recovered,,5\n"
        "2020-03-01,US,Texas,,7\n"
    )

    result = run(text, mapping={"unknown_sublocations": "aggregate"})

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("US_CA", "confirmed", "2020-03-01"): 30,
        ("US_TX", "confirmed", "2020-03-01"): 7,
        ("US", "confirmed", "2020-03-01"): 42,
    }


def test_an_unknown_place_names_the_place_it_was_looked_for_in_and_the_rows_place_texts(reference_data):
    text = (
        "date,country,province,confirmed\n"
        "2020-03-01,Canada,Diamond Princess,1\n"
        "2020-03-01,US,Diamond Princess,2\n"
        "2020-03-01,Canada,Ontario,3\n"
    )

    asked = run(text)
    mapped = run(text, mapping={"locations": {"Canada / Diamond Princess": "SHIP_DIAMOND_PRINCESS"}})

    unknown = {p["within"]: p for p in asked.report["problems"] if p["code"] == "unknown_location"}
    assert unknown["Canada"]["parent"] == "CA"
    assert unknown["Canada"]["value"] == "Diamond Princess"
    assert unknown["Canada"]["rows"] == [2]
    assert unknown["US"]["parent"] == "US"
    assert unknown["US"]["rows"] == [3]
    still = [p for p in mapped.report["problems"] if p["code"] == "unknown_location"]
    assert [(p["within"], p["rows"]) for p in still] == [("US", [3])]  # the entry holds under Canada only


def test_an_unknown_place_with_no_close_name_says_so(reference_data):
    result = run("date,regione,totale_casi\n2020-03-01,Qwxzy,1\n", country="IT")

    entry = next(p for p in result.report["problems"] if p["code"] == "unknown_location")
    assert entry["suggestions"] == []
    assert entry["message"] == "Unknown location 'Qwxzy' in Italy; no close match."
    assert entry["parent"] == "IT"
    assert entry["within"] == ""
    assert "unknown_location" in codes(result)


def test_a_bad_value_of_a_row_also_counted_in_its_parent_is_reported_once(reference_data):
    text = PROVINCES.replace("Bergamo,120", "Bergamo,12O")

    result = run(text, country="IT", mapping={"unknown_sublocations": "aggregate"})

    assert not result.is_valid
    bad = result.problems[result.problems["code"] == "value_not_numeric"]
    assert bad[["row", "value"]].values.tolist() == [[5, "12O"]]
    assert result.report["counts"]["value_not_numeric"] == 1
