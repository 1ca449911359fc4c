"""The mapping form: every kind of answer written into the mapping, and the answers it refuses.

Reports come from the real validation of a small file where the validation produces what the test
needs; keys the validation does not produce yet in every case (a sheet's `values`, the recipe that
was applied, unreadable sheets, a detected one-column-per-place plan) are written by hand.
"""

import pytest

from contributions.mapping import DATE_FORMATS, MappingForm
from contributions.models import Submission
from contributions.validation.filters import MAX_FILTER_VALUES
from tests.contributions.factories import SubmissionFactory
from tests.contributions.mapping_answers import form_answers
from tests.contributions.validation.builders import run, workbook


def submission_with(report, mapping=None):
    return SubmissionFactory(status=Submission.Status.INVALID, report=report, mapping=mapping or {})


def answers(form, **changes):
    return form_answers(form, changes)


def submit(submission, **changes):
    shown = MappingForm(submission=submission)
    form = MappingForm(answers(shown, **changes), submission=submission)
    return form


def mapped(submission, **changes):
    form = submit(submission, **changes)
    assert form.is_valid(), form.errors
    return form.to_mapping()


def column_index(form, column):
    return [c for c, _ in form.columns].index(column)


def no_date_nor_place_column(form):
    return {f"column_{column_index(form, c)}": "ignore" for c in ("data", "denominazione_regione")}


def place_index(form, text, within=""):
    return next(i for i, p in enumerate(form.places) if p.text == text and p.within == within)


ITALY_UNKNOWN = (
    "data,denominazione_regione,totale_casi\n"
    "2020-03-01,Lombardi,1\n2020-03-02,Lombardi,2\n2020-03-01,Atlantis,3\n2020-03-01,Veneto,4\n"
)


@pytest.fixture
def italy_unknown(reference_data):
    return submission_with(run(ITALY_UNKNOWN, country="IT").report)


# --- columns ------------------------------------------------------------------------------------------


def test_the_detected_columns_become_the_mapping_with_each_metric_column(italy_unknown):
    mapping = mapped(italy_unknown)

    assert mapping["layout"] == "wide_metric"
    assert mapping["date_column"] == "data"
    assert mapping["location_columns"] == ["denominazione_regione"]
    assert mapping["metrics"] == {"totale_casi": "confirmed"}


def test_an_ignored_column_of_a_wide_file_is_left_out_of_the_metrics(reference_data):
    submission = submission_with(
        run("data,denominazione_regione,totale_casi,deceduti\n2020-03-01,Atlantis,3,1\n", country="IT").report
    )
    form = MappingForm(submission=submission)
    confirmed, deaths = column_index(form, "totale_casi"), column_index(form, "deceduti")

    mapping = mapped(submission, **{f"column_{deaths}": "ignore"})

    assert mapping["metrics"] == {"totale_casi": "confirmed", "deceduti": ""}
    assert mapping["ignore"] == ["deceduti"]
    refused = submit(submission, **{f"column_{deaths}": "ignore", f"column_{confirmed}": "ignore"})
    assert not refused.is_valid()
    assert "Choose at least one column of values for a metric." in refused.non_field_errors()


def test_a_long_file_needs_its_metric_and_value_columns(reference_data):
    submission = submission_with(
        run("date,location,metric,value\n2020-03-01,Italy,confirmed,1\n2020-03-01,Atlantis,confirmed,2\n").report
    )
    mapping = mapped(submission)
    assert mapping["layout"] == "long"
    assert (mapping["metric_column"], mapping["value_column"]) == ("metric", "value")

    form = MappingForm(submission=submission)
    refused = submit(submission, **{f"column_{column_index(form, 'value')}": "ignore"})
    assert not refused.is_valid()
    assert "A long file needs a metric-name column and a value column." in refused.non_field_errors()


def test_a_constant_date_place_and_sheet_as_place_are_written(italy_unknown):
    form = MappingForm(submission=italy_unknown)
    mapping = mapped(
        italy_unknown,
        **{
            f"column_{column_index(form, 'data')}": "ignore",
            f"column_{column_index(form, 'denominazione_regione')}": "ignore",
        },
        date="2020-03-30",
        location="it_25",
        unknown_sublocations="aggregate",
    )

    assert mapping["date"] == "2020-03-30"
    assert mapping["location"] == "IT_25"
    assert mapping["unknown_sublocations"] == "aggregate"
    assert "date_column" not in mapping
    assert mapping["ignore"] == ["data", "denominazione_regione"]


def test_a_date_or_a_place_is_required_and_an_unknown_constant_place_is_named(italy_unknown):
    form = MappingForm(submission=italy_unknown)
    refused = submit(
        italy_unknown,
        **{
            f"column_{column_index(form, 'data')}": "ignore",
            f"column_{column_index(form, 'denominazione_regione')}": "ignore",
        },
    )
    assert not refused.is_valid()
    assert "Choose the date column, or give the date of all figures." in refused.non_field_errors()
    assert any("give the place of all figures" in e for e in refused.non_field_errors())

    refused = submit(italy_unknown, location="Narnia")
    assert refused.errors["location"] == ["No place has the key 'Narnia'; use keys such as IT, IT_25 or US."]


def test_the_year_day_month_date_format_is_offered_and_written(italy_unknown):
    assert ("%Y-%d-%m", "2020-22-01 (year, day, month)") in DATE_FORMATS

    assert mapped(italy_unknown, date_format="%Y-%d-%m")["date_format"] == "%Y-%d-%m"


# --- one column per place -----------------------------------------------------------------------------


def wide_place_report():
    """A file with one column per South African province, as detected (hand-written: the detected
    plan of one column per place)."""
    columns = ["date", "EC", "FS", "total"]
    return {
        "valid": False,
        "problems": [],
        "detected": {
            "sheets": [
                {
                    "sheet": "",
                    "layout": "wide_place",
                    "columns": columns,
                    "rows": 3,
                    "roles": {"date": "date", "EC": "place", "FS": "place", "total": None},
                    "column_places": {"EC": "ZA_EC", "FS": "ZA_FS"},
                }
            ]
        },
        "needs_mapping": {"needed": True, "reasons": [], "suggested": {"layout": "wide_place", "date_column": "date"}},
        "mapping": {},
    }


def test_each_column_of_one_place_gets_its_place_and_the_metric_of_the_values(reference_data):
    submission = submission_with(wide_place_report())
    form = MappingForm(submission=submission)
    assert form[f"column_{column_index(form, 'EC')}"].value() == "place_values"
    assert form[f"column_{column_index(form, 'EC')}_place"].value() == "ZA_EC"

    mapping = mapped(submission, metric="confirmed", **{f"column_{column_index(form, 'FS')}_place": "za_gp"})

    assert mapping["layout"] == "wide_place"
    assert mapping["metric"] == "confirmed"
    assert mapping["date_column"] == "date"
    assert mapping["column_places"] == {"EC": "ZA_EC", "FS": "ZA_GP"}
    assert mapping["ignore"] == ["total"]


def test_a_column_of_places_left_out_is_written_as_left_out(reference_data):
    submission = submission_with(wide_place_report())
    form = MappingForm(submission=submission)

    mapping = mapped(submission, metric="deaths", **{f"column_{column_index(form, 'FS')}": "ignore"})

    assert mapping["column_places"] == {"EC": "ZA_EC", "FS": ""}


def test_one_column_per_place_needs_the_metric_each_place_and_known_keys(reference_data):
    submission = submission_with(wide_place_report())
    form = MappingForm(submission=submission)
    ec, fs = column_index(form, "EC"), column_index(form, "FS")

    refused = submit(submission, **{f"column_{ec}_place": "", f"column_{fs}_place": "Freestate"})

    assert not refused.is_valid()
    assert "Choose the metric of the values." in refused.non_field_errors()
    assert refused.errors[f"column_{ec}_place"] == ["Give the place of this column's values, or ignore the column."]
    assert refused.errors[f"column_{fs}_place"] == [
        "No place has the key 'Freestate'; search for the place and choose it."
    ]


def test_a_column_of_one_place_needs_the_layout_of_one_column_per_place(reference_data):
    submission = submission_with(wide_place_report())
    form = MappingForm(submission=submission)

    refused = submit(submission, layout="wide_metric", metric="confirmed")

    assert not refused.is_valid()
    assert refused.errors[f"column_{column_index(form, 'EC')}"] == [
        "A column of one place's values needs the layout “one column per place”."
    ]


def test_a_metric_column_of_a_wide_metric_file_may_get_the_place_of_its_values(reference_data):
    submission = submission_with(
        run("data,confirmados_arsnorte,obitos_arsnorte\n2020-03-01,1,0\n", country="PT").report
    )
    form = MappingForm(submission=submission)
    confirmed, deaths = column_index(form, "confirmados_arsnorte"), column_index(form, "obitos_arsnorte")

    mapping = mapped(
        submission,
        layout="wide_metric",
        location="PT",
        **{
            f"column_{confirmed}": "metric:confirmed",
            f"column_{confirmed}_place": "PT_13",
            f"column_{deaths}": "metric:deaths",
            f"column_{deaths}_place": "PT_13",
        },
    )

    assert mapping["metrics"] == {"confirmados_arsnorte": "confirmed", "obitos_arsnorte": "deaths"}
    assert mapping["column_places"] == {"confirmados_arsnorte": "PT_13", "obitos_arsnorte": "PT_13"}


def test_a_metric_of_a_place_in_one_header_starts_with_both(reference_data):
    submission = submission_with(run("data,confirmados_acores,confirmados\n2020-03-01,1,5\n", country="PT").report)
    form = MappingForm(submission=submission)
    azores = column_index(form, "confirmados_acores")

    assert form[f"column_{azores}"].value() == "metric:confirmed"
    assert form[f"column_{azores}_place"].value() == "PT_20"


def test_only_a_column_of_values_can_have_a_place(italy_unknown):
    form = MappingForm(submission=italy_unknown)
    refused = submit(italy_unknown, **{f"column_{column_index(form, 'data')}_place": "IT_25"})

    assert refused.errors[f"column_{column_index(form, 'data')}_place"] == ["Only a column of values can have a place."]


# --- unknown places -----------------------------------------------------------------------------------


def test_each_unknown_name_is_offered_with_its_rows_and_closest_places(italy_unknown):
    form = MappingForm(submission=italy_unknown)

    assert sorted(p.text for p in form.places) == ["Atlantis", "Lombardi"]
    lombardi = form.fields[f"place_{place_index(form, 'Lombardi')}"]
    assert ("leave", "Leave out (2 rows)") in lombardi.choices
    assert ("IT_25", "Lombardia (IT_25), in Italy") in lombardi.choices


def test_unknown_names_are_mapped_to_a_suggestion_a_searched_place_or_left_out(italy_unknown):
    form = MappingForm(submission=italy_unknown)
    lombardi, atlantis = place_index(form, "Lombardi"), place_index(form, "Atlantis")

    mapping = mapped(
        italy_unknown,
        **{f"place_{lombardi}": "IT_25", f"place_{atlantis}": "leave"},
    )
    assert mapping["locations"] == {"Lombardi": "IT_25", "Atlantis": ""}

    mapping = mapped(italy_unknown, **{f"place_{lombardi}": "other", f"place_{lombardi}_key": "it_34"})
    assert mapping["locations"] == {"Lombardi": "IT_34"}


def test_names_not_decided_stay_out_of_the_mapping_unless_all_are_left_out(italy_unknown):
    form = MappingForm(submission=italy_unknown)
    lombardi = place_index(form, "Lombardi")

    assert "locations" not in mapped(italy_unknown)
    mapping = mapped(italy_unknown, **{f"place_{lombardi}": "IT_25"}, leave_out_rest="on")
    assert mapping["locations"] == {"Lombardi": "IT_25", "Atlantis": ""}


def test_a_place_answer_must_be_one_known_place(italy_unknown):
    form = MappingForm(submission=italy_unknown)
    lombardi, atlantis = place_index(form, "Lombardi"), place_index(form, "Atlantis")

    refused = submit(
        italy_unknown,
        **{
            f"place_{lombardi}": "leave",
            f"place_{lombardi}_key": "IT_25",
            f"place_{atlantis}": "other",
        },
    )

    assert refused.errors[f"place_{lombardi}_key"] == ["You chose an answer above and typed a place: keep one."]
    assert refused.errors[f"place_{atlantis}_key"] == ["Search for the place, or choose another answer."]
    refused = submit(italy_unknown, **{f"place_{atlantis}_key": "ATLANTIS"})
    assert refused.errors[f"place_{atlantis}_key"] == ["No place has the key 'ATLANTIS'; search for the place."]


def test_a_name_already_mapped_shows_its_answer(reference_data):
    report = run(ITALY_UNKNOWN, country="IT", mapping={"locations": {"Lombardi": "NOWHERE"}}).report
    submission = submission_with(report, mapping={"locations": {"Lombardi": "NOWHERE"}})
    form = MappingForm(submission=submission)
    lombardi = place_index(form, "Lombardi")

    assert form[f"place_{lombardi}"].value() == "other"
    assert form[f"place_{lombardi}_key"].value() == "NOWHERE"
    refused = submit(submission)
    assert refused.errors[f"place_{lombardi}_key"] == ["No place has the key 'NOWHERE'; search for the place."]


def test_an_entry_can_be_limited_to_the_place_it_is_under(reference_data):
    report = run(
        "date,country,province,confirmed\n"
        "2020-03-01,Canada,Grand Princes,1\n2020-03-01,Canada,Toronto,2\n2020-03-01,US,Grand Princes,3\n"
    ).report
    submission = submission_with(report)
    form = MappingForm(submission=submission)
    canada = place_index(form, "Grand Princes", "Canada")
    us = place_index(form, "Grand Princes", "US")
    assert form[f"place_{canada}_scoped"].value() is True  # limited unless the volunteer says otherwise

    mapping = mapped(
        submission,
        **{f"place_{canada}": "other", f"place_{canada}_key": "CA", f"place_{us}": "other"},
        **{f"place_{us}_key": "SHIP_GRAND_PRINCESS"},
    )
    assert mapping["locations"]["Canada / Grand Princes"] == "CA"
    assert mapping["locations"]["US / Grand Princes"] == "SHIP_GRAND_PRINCESS"

    refused = submit(
        submission,
        **{f"place_{canada}": "other", f"place_{canada}_key": "CA", f"place_{canada}_scoped": None},
        **{f"place_{us}": "other", f"place_{us}_key": "SHIP_GRAND_PRINCESS", f"place_{us}_scoped": None},
    )
    assert not refused.is_valid()
    errors = refused.errors.get(f"place_{us}", []) + refused.errors.get(f"place_{canada}", [])
    assert len(errors) == 1
    assert "“Grand Princes” is also given another answer above" in errors[0]


def test_every_unknown_name_is_offered_however_many(reference_data):
    rows = "".join(f"2020-03-01,Nowhere {n},1\n" for n in range(75))
    submission = submission_with(run("date,location,confirmed\n" + rows).report)

    form = MappingForm(submission=submission)

    assert len(form.places) == 75
    assert sum(len(group["entries"]) for group in form.place_groups()) == 75
    assert mapped(submission, leave_out_rest="on")["locations"] == {f"Nowhere {n}": "" for n in range(75)}


def test_past_a_hundred_names_the_rest_are_listed_and_can_all_be_left_out(reference_data):
    rows = "".join(f"2020-03-01,Nowhere {n},1\n" for n in range(130))
    own = {"locations": {"Nowhere 120": "NOT_A_KEY"}}
    submission = submission_with(run("date,location,confirmed\n" + rows, mapping=own).report, mapping=own)

    form = MappingForm(submission=submission)

    assert len(form.places) == 100  # three fields each: a request carries at most 1,000
    assert len(form.all_places) == 130
    assert {p.text for p in form.more_places} == {f"Nowhere {n}" for n in range(100, 130)}
    assert mapped(submission)["locations"] == {"Nowhere 120": "NOT_A_KEY"}  # an answer not shown stays
    assert mapped(submission, leave_out_rest="on")["locations"] == {f"Nowhere {n}": "" for n in range(130)}


def test_names_the_report_could_not_list_are_announced(reference_data):
    report = run("date,location,confirmed\n2020-03-01,Nowhere,1\n").report
    report["problems"].append(
        {
            "severity": "error",
            "code": "unknown_location",
            "message": "... and 1,200 more distinct values with this problem (1,300 rows); fix the ones above first.",
            "row": 5,
            "column": None,
            "value": None,
            "sheet": None,
            "row_count": 1300,
        }
    )
    form = MappingForm(submission=submission_with(report))

    assert [p.text for p in form.places] == ["Nowhere"]
    assert form.place_notes == [
        "... and 1,200 more distinct values with this problem (1,300 rows); fix the ones above first."
    ]


def test_a_name_in_several_sheets_is_one_answer_with_all_its_rows(reference_data):
    header = ["data", "denominazione_regione", "totale_casi"]
    content = workbook(
        marzo=[header, ["2020-03-01", "Lombardi", 1], ["2020-03-02", "Lombardi", 2]],
        aprile=[header, ["2020-04-01", "Lombardi", 3], ["2020-04-01", "Veneto", 4]],
    )
    submission = submission_with(run(content, country="IT", filename="regioni.xlsx").report)
    form = MappingForm(submission=submission)

    assert [(p.text, p.row_count, p.sheets) for p in form.places] == [("Lombardi", 3, ["marzo", "aprile"])]
    assert mapped(submission, place_0="IT_25", sheets=["marzo", "aprile"])["locations"] == {"Lombardi": "IT_25"}


# --- sheets, rows to keep -----------------------------------------------------------------------------


def workbook_report(**mapping):
    columns = ["data", "denominazione_regione", "totale_casi", "source_nom"]
    sheet = {
        "layout": "wide_metric",
        "columns": columns,
        "roles": {"data": "date", "denominazione_regione": "region", "totale_casi": "confirmed"},
        "values": {"source_nom": ["Ministère", "ARS", "Préfecture"], "denominazione_regione": ["Lombardia"]},
    }
    return {
        "valid": False,
        "problems": [
            {
                "severity": "error",
                "code": "duplicate_columns",
                "message": "These column names appear more than once: 'data'.",
                "row": None,
                "column": None,
                "value": None,
                "sheet": "notes",
            }
        ],
        "detected": {
            "sheets": [
                {**sheet, "sheet": "regioni", "rows": 21},
                {**sheet, "sheet": "province", "rows": 107},
            ]
        },
        "mapping": mapping,
    }


def test_the_sheets_of_a_workbook_are_listed_with_what_could_not_be_read(reference_data):
    form = MappingForm(submission=submission_with(workbook_report()))

    assert [(s.name, s.rows, s.reason) for s in form.sheet_list] == [
        ("regioni", 21, ""),
        ("province", 107, ""),
        ("notes", None, "These column names appear more than once: 'data'."),
    ]
    assert form["sheets"].value() == ["regioni", "province"]  # a sheet that could not be read is not ticked


def test_sheets_that_need_a_mapping_stay_ticked_and_say_why(reference_data):
    header = ["when", "area", "alpha"]
    content = workbook(nord=[header, ["2020-03-01", "Lombardia", 1]], sud=[header, ["2020-03-01", "Sicilia", 2]])
    submission = submission_with(run(content, country="IT", filename="bulletin.xlsx").report)
    form = MappingForm(submission=submission)

    assert [(s.name, s.reason) for s in form.sheet_list] == [("nord", ""), ("sud", "")]
    assert all("say which column holds what" in s.note for s in form.sheet_list)
    assert form["sheets"].value() == ["nord", "sud"]


def test_the_sheets_chosen_are_written_and_at_least_one_is_needed(reference_data):
    submission = submission_with(workbook_report())

    assert mapped(submission)["sheets"] == ["regioni", "province"]
    assert mapped(submission, sheets=["province"])["sheets"] == ["province"]
    assert "sheets" not in mapped(submission, sheets=["regioni", "province", "notes"])
    refused = submit(submission, sheets=None)
    assert refused.errors["sheets"] == ["Choose at least one sheet to read."]


def test_sheets_chosen_earlier_can_be_read_all_again(reference_data):
    submission = submission_with(workbook_report(sheets=["regioni"]), mapping={"sheets": ["regioni"]})

    assert mapped(submission)["sheets"] == ["regioni"]
    assert "sheets" not in mapped(submission, all_sheets="on")


def test_rows_are_kept_by_the_values_of_a_column(reference_data):
    submission = submission_with(workbook_report())
    form = MappingForm(submission=submission)
    publisher = next(i for i, (column, _) in enumerate(form.filters) if column == "source_nom")
    assert [c for c, _ in form.filters] == ["source_nom", "denominazione_regione"]

    assert mapped(submission, **{f"keep_{publisher}": ["Ministère"]})["keep_rows"] == {"source_nom": ["Ministère"]}
    assert "keep_rows" not in mapped(submission)  # nothing ticked: every row is kept
    everything = ["Ministère", "ARS", "Préfecture"]
    assert "keep_rows" not in mapped(submission, **{f"keep_{publisher}": everything})


def test_a_kept_value_missing_from_this_file_is_still_offered(reference_data):
    kept = {"keep_rows": {"source_nom": ["Santé publique France"]}}
    submission = submission_with(workbook_report(**kept), mapping=kept)
    form = MappingForm(submission=submission)
    publisher = [c for c, _ in form.filters].index("source_nom")

    assert "Santé publique France" in dict(form.fields[f"keep_{publisher}"].choices)
    assert mapped(submission)["keep_rows"] == {"source_nom": ["Santé publique France"]}


def test_columns_of_figures_or_of_many_values_are_no_row_filter(reference_data):
    report = workbook_report()
    sheet = report["detected"]["sheets"][0]
    sheet["values"] = {
        "totale_casi": ["1", "2"],  # the values of a metric
        "deceduti_rsa": ["0", "3"],  # looks like a metric the check did not take
        "codice": [str(n) for n in range(MAX_FILTER_VALUES + 1)],  # more values than a row filter offers
        "source_nom": ["ARS"],
    }
    sheet["left_out"] = [{"column": "deceduti_rsa", "values": 2, "reason": "a part of deaths", "metric": "deaths"}]
    form = MappingForm(submission=submission_with(report))

    # denominazione_regione: its values are listed for the second sheet only (too many in the first),
    # so a filter on it would drop the first sheet's rows unseen.
    assert [column for column, _ in form.filters] == ["source_nom"]


def test_a_column_the_check_left_out_says_why(reference_data):
    submission = submission_with(
        run("data,denominazione_regione,totale_casi,nuovi_casi_rate\n2020-03-01,Veneto,3,0.1\n", country="IT").report
    )
    form = MappingForm(submission=submission)

    notes = {role.label: why for role, _, why in form.column_rows()}
    assert notes["totale_casi"] == ""
    assert "rate" in notes["nuovi_casi_rate"]


# --- the source's recipe ------------------------------------------------------------------------------


def with_recipe(keys, *, recipe, own=None):
    """A report of the real validation with the recipe under the volunteer's mapping, and the recipe
    named as the report will name it (hand-written: the recipe's id and signature)."""
    report = run(ITALY_UNKNOWN, country="IT", mapping=own, recipe=recipe).report
    report["recipe"] = {"id": 7, "signature": "data|denominazione_regione|totale_casi", "keys": keys}
    return submission_with(report, mapping=own)


def test_the_recipe_is_shown_and_can_be_switched_off(reference_data):
    submission = with_recipe(["date_format", "encoding"], recipe={"date_format": "%Y-%m-%d", "encoding": "utf-8"})
    form = MappingForm(submission=submission)
    assert form.recipe["id"] == 7
    assert form["use_recipe"].value() is True
    assert dict(form.fields["clear_recipe"].choices) == {"encoding": "encoding"}  # date_format has its own field

    mapping = mapped(submission, use_recipe=None)
    assert mapping["use_recipe"] is False
    assert mapping["date_format"] == "%Y-%m-%d"  # what the page showed is what the volunteer chose


def test_a_recipe_value_taken_away_on_the_page_is_cleared(reference_data):
    submission = with_recipe(
        ["date_format", "encoding", "locations"],
        recipe={"date_format": "%Y-%m-%d", "encoding": "utf-8", "locations": {"Venezia": "IT_34"}},
    )
    form = MappingForm(submission=submission)
    lombardi = place_index(form, "Lombardi")

    mapping = mapped(submission, date_format="", **{f"place_{lombardi}": "IT_25"})
    assert mapping["date_format"] is None  # "Detect automatically": the recipe's format no longer applies
    assert "encoding" not in mapping  # untouched: the recipe's encoding still applies
    assert mapping["locations"] == {"Venezia": "IT_34", "Lombardi": "IT_25"}

    mapping = mapped(submission, clear_recipe=["encoding", "locations"], **{f"place_{lombardi}": "IT_25"})
    assert mapping["encoding"] is None
    assert mapping["locations"] == {"Lombardi": "IT_25"}  # the recipe's entries go, the volunteer's stay
    assert mapped(submission, clear_recipe=["locations"])["locations"] is None


def test_a_recipe_switched_off_can_be_switched_on_again(reference_data):
    submission = submission_with(run(ITALY_UNKNOWN, country="IT").report, mapping={"use_recipe": False})
    form = MappingForm(submission=submission)
    assert form["use_recipe"].value() is False

    assert "use_recipe" not in mapped(submission, use_recipe="on")
    assert mapped(submission)["use_recipe"] is False


def test_settings_the_page_has_no_field_for_are_kept(reference_data):
    own = {"encoding": "latin-1", "location_schemes": {"codice_regione": "istat"}}
    submission = submission_with(run(ITALY_UNKNOWN, country="IT", mapping=own).report, mapping=own)

    mapping = mapped(submission)

    assert mapping["encoding"] == "latin-1"
    assert mapping["location_schemes"] == {"codice_regione": "istat"}
