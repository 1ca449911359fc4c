"""Messages with a number read right for one ("1 value", not "1 values"), reports stored before that
keep being shown with the right form, and the year-day-month warning names its example day in the
reader's language (the month is written when the report is shown, not stored in English)."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

import contributions
from contributions.texts import FORMER_MSGIDS, translated

from .validation.builders import run

OLD_MSGID = "Column %(column)s holds %(why)s (%(values)s values): left out."
YDM_FILE = "date,location,confirmed\n2020-01-03,IT,1\n2020-22-01,IT,2\n"


def test_a_column_left_out_with_one_value_says_1_value(reference_data):
    report = run("date,location,confirmed,suspeitos\n2020-03-01,IT,1,4\n2020-03-02,IT,2,\n").report

    warning = next(p for p in report["problems"] if p["code"] == "unmapped_metric_column")
    assert "(a figure we have no metric for; 1 value): choose one" in warning["message"]
    assert translated(warning) == warning["message"]


def test_one_value_mapped_to_nothing_is_one_value_left_out(reference_data):
    report = run(
        "date,location,confirmed\n2020-03-01,IT,1\n2020-03-01,Atlantis,3\n", mapping={"locations": {"Atlantis": ""}}
    ).report

    warning = next(p for p in report["problems"] if p["code"] == "location_ignored")
    assert warning["message"] == "1 value for a place mapped to nothing was left out."


@pytest.mark.parametrize(("values", "shown"), [("1", "(1 value)"), ("1,234", "(1,234 values)")])
def test_a_message_stored_before_it_had_a_plural_is_shown_with_the_form_its_number_asks_for(values, shown):
    old = {
        "severity": "warning",
        "code": "ignored_column",
        "message": f"Column 'notes' holds notes ({values} values): left out.",
        "msgid": OLD_MSGID,
        "params": {"column": "'notes'", "why": {"message": "notes"}, "values": values},
    }

    assert translated(old) == f"Column 'notes' holds notes {shown}: left out."


def test_a_stored_message_whose_number_cannot_be_read_keeps_its_english():
    old = {
        "message": "Column 'notes' holds notes (many values): left out.",
        "msgid": OLD_MSGID,
        "params": {"values": "many"},
    }

    assert translated(old) == old["message"]


@pytest.mark.parametrize(
    ("language", "day"), [("en", "1 March 2020"), ("es", "1 de marzo de 2020"), ("fr", "1 mars 2020")]
)
def test_the_year_day_month_warning_names_its_example_day_in_the_readers_language(reference_data, language, day):
    warning = next(p for p in run(YDM_FILE).report["problems"] if p["code"] == "date_year_day_month")

    with translation.override(language):
        shown = translated(warning)
    assert day in shown
    assert "'2020-01-03'" in shown
    assert "so '2020-01-03' is 1 March 2020." in warning["message"]  # the stored report stays English
    if language != "en":
        assert "March" not in shown


def test_a_year_day_month_warning_stored_with_an_english_day_still_reads():
    old = {
        "message": "The dates of column 'date' are written year-day-month ...",
        "msgid": "The dates of column %(column)s are written year-day-month (%(only)s has no month %(month)s): "
        "every date of the column is read that way, so %(example)s is %(day)s. If that is wrong, "
        "choose the date format in the mapping.",
        "params": {
            "column": "'date'",
            "only": "'2020-22-01'",
            "month": "22",
            "example": "'2020-01-03'",
            "day": "1 March 2020",
        },
    }

    assert "so '2020-01-03' is 1 March 2020." in translated(old)


def _plural_messages() -> set[tuple[str, str]]:
    """Every (singular, plural) pair the contributions code makes with Text.ngettext."""
    pairs = set()
    for path in Path(contributions.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "ngettext":
                texts = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
                if len(texts) == 2:
                    pairs.add((texts[0], texts[1]))
    return pairs


def test_each_former_msgid_is_the_plural_of_a_message_the_code_still_makes():
    made = _plural_messages()

    for old, (singular, _) in FORMER_MSGIDS.items():
        assert (singular, old) in made, old
