"""Validation messages are stored in English with their msgid and params, and shown in the reader's
language: the rows, columns and values stay as in the file; reports stored before keep their English."""

import csv
import io

import pytest
from django.template import Context, Template
from django.utils import translation

from contributions.models import Submission
from contributions.reporting import error_rows_csv, grouped_problems
from contributions.texts import translated
from tests.sources.factories import SourceFactory

from .factories import SubmissionFactory
from .test_uploads import upload
from .validation.builders import run

# What the catalogues say for the messages below (the real ones are built from the translators' tables).
CATALOGUE = {
    "fr": {
        "The value %(value)s is not a number.": "La valeur %(value)s n’est pas un nombre.",
        "ERROR": "ERREUR",
    },
    "es": {
        "The value %(value)s is not a number.": "El valor %(value)s no es un número.",
        "Unknown location %(text)s%(why)s; no close match.": "Lugar desconocido %(text)s%(why)s; ninguno parecido.",
        "ERROR": "ERROR",
    },
}


@pytest.fixture
def italy_source(reference_data):
    return SourceFactory(name="Protezione Civile", url="https://github.com/pcm-dpc/COVID-19")


@pytest.fixture
def volunteer(make_user):
    return make_user("giulia@example.org", countries=("IT",))


@pytest.fixture
def catalogue(monkeypatch):
    def gettext(message):
        return CATALOGUE.get(translation.get_language() or "en", {}).get(message, message)

    monkeypatch.setattr("contributions.texts.gettext", gettext)


def test_every_message_of_a_report_reads_the_same_in_english(reference_data):
    report = run("date,location,confirmed\n2020-03-01,Atlantis,1\n2020-03-02,IT,lots\n2020-03-03,IT,-4\n").report

    assert report["problems"]
    for problem in report["problems"]:
        assert problem.get("msgid"), problem  # every message of this file can be shown in another language
        assert translated(problem) == problem["message"]


def test_a_report_in_french_names_the_row_column_and_value_as_in_the_file(reference_data, catalogue):
    report = run("date,location,confirmed\n2020-03-01,IT,1\n2020-03-02,IT,lots\n").report

    with translation.override("fr"):
        example = next(g for g in grouped_problems(report) if g["code"] == "value_not_numeric")["examples"][0]
        shown = Template("{% load problem_text %}{{ p|problem_message }}").render(Context({"p": example}))
    assert example["message"] == "La valeur 'lots' n’est pas un nombre."
    assert shown == "La valeur &#x27;lots&#x27; n’est pas un nombre."  # escaped like any text
    assert (example["row"], example["column"], example["value"]) == (3, "confirmed", "lots")
    stored = next(p for p in report["problems"] if p["code"] == "value_not_numeric")
    assert stored["message"] == "The value 'lots' is not a number."  # the report itself stays English


def test_a_problem_stored_before_messages_had_a_msgid_keeps_its_english_message(catalogue):
    old = {"severity": "warning", "code": "negative_value", "message": "Negative count", "row": 7, "column": "casi"}

    with translation.override("fr"):
        shown = Template("{% load problem_text %}{{ p|problem_message }}").render(Context({"p": old}))
        grouped = grouped_problems({"problems": [old]})
    assert shown == "Negative count"
    assert grouped[0]["examples"][0]["message"] == "Negative count"


@pytest.mark.django_db
def test_the_problems_csv_of_a_spanish_reader_has_the_english_and_the_spanish_messages(
    client, volunteer, italy_source, django_capture_on_commit_callbacks, catalogue
):
    client.force_login(volunteer)
    broken = b"date,location,metric,value\n2020-03-01,Italy,confirmed,1694\n2020-03-04,Italy,confirmed,lots\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, italy_source, content=broken)
    submission = Submission.objects.get()

    english = list(csv.DictReader(io.StringIO("".join(error_rows_csv(submission, language="en")))))
    spanish = list(csv.DictReader(io.StringIO("".join(error_rows_csv(submission, language="es")))))

    assert "error_es" not in english[0]
    assert [row["row"] for row in spanish] == [row["row"] for row in english] == ["3"]
    assert spanish[0]["error"] == english[0]["error"] == "ERROR: The value 'lots' is not a number. [value]"
    assert spanish[0]["error_es"] == "ERROR: El valor 'lots' no es un número. [value]"
    assert spanish[0]["value"] == "lots"


@pytest.mark.django_db
def test_the_problems_csv_without_the_stored_rows_adds_a_message_column_in_the_readers_language(
    reference_data, catalogue
):
    problem = run("date,location,confirmed\n2020-03-01,Nowhere,1\n").report["problems"][0]
    submission = SubmissionFactory(status=Submission.Status.INVALID, report={"problems": [problem]})

    rows = list(csv.DictReader(io.StringIO("".join(error_rows_csv(submission, language="es")))))

    assert rows[0]["message"] == "Unknown location 'Nowhere'; no close match."
    assert rows[0]["message_es"] == "Lugar desconocido 'Nowhere'; ninguno parecido."
    assert rows[0]["row"] == "2"


def test_why_a_place_is_unknown_and_why_a_column_is_left_out_read_in_the_readers_language(reference_data):
    text = "date,location,confirmados,n_confirmados\n2020-03-01,Atlantis,1,2\n"
    report = run(text, mapping={"locations": {"Atlantis": "XX_NOWHERE"}}).report
    unknown = next(p for p in report["problems"] if p["code"] == "unknown_location")
    column = next(p for p in report["problems"] if p.get("column") == "n_confirmados")

    assert "(the mapping sends it to 'XX_NOWHERE', which is not a location key)" in unknown["message"]
    assert "(confirmed; column 'confirmados' gives confirmed; 1 value)" in column["message"]
    with translation.override("fr"):
        assert "(la correspondance l’envoie vers 'XX_NOWHERE', qui n’est pas une clé de lieu)" in translated(unknown)
        assert "la colonne 'confirmados' donne déjà confirmed" in translated(column)  # the reason, a param
