"""Unknown places inside a known one (Italy's "In fase di definizione/aggiornamento"), left out as the
mapping asks: the warning reads in the reader's language and names the rows, column and value as the
file does; the problems CSV keeps the English and adds the reader's language."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from contributions import pipeline
from contributions.models import Submission
from contributions.reporting import error_rows_csv
from contributions.texts import translated
from tests.sources.factories import SourceFactory

from .test_uploads import upload
from .validation.builders import run

PROVINCES = (
    b"data,denominazione_regione,denominazione_provincia,totale_casi\n"
    b"2020-03-01,Lombardia,Bergamo,100\n"
    b"2020-03-01,Lombardia,In fase di definizione/aggiornamento,7\n"
    b"2020-03-02,Lombardia,Bergamo,120\n"
    b"2020-03-02,Lombardia,In fase di definizione/aggiornamento,3\n"
)


@pytest.fixture
def checked(client, make_user, reference_data, django_capture_on_commit_callbacks):
    volunteer = make_user("lucia@example.org", countries=("IT",))
    volunteer.language = "es"
    volunteer.save(update_fields=["language"])
    source = SourceFactory(name="Protezione Civile", url="https://github.com/pcm-dpc/COVID-19")
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, source, content=PROVINCES)
    submission = Submission.objects.get()
    Submission.objects.filter(pk=submission.pk).update(
        mapping={**(submission.mapping or {}), "unknown_sublocations": "ignore"}, status=Submission.Status.VALIDATING
    )
    pipeline.run_validation(submission.pk)
    submission.refresh_from_db()
    return submission


@pytest.mark.django_db
def test_a_spanish_reader_sees_the_warning_in_spanish_with_the_rows_column_and_value_of_the_file(client, checked):
    page = client.get(reverse("contributions:detail", args=[checked.pk])).content.decode()

    stored = next(p for p in checked.report["problems"] if p["code"] == "sublocations_ignored")
    assert stored["message"] == (  # the report itself stays English
        "1 name not known inside Lombardia (IT_25) was left out, as the mapping asks: "
        "'In fase di definizione/aggiornamento' (2 rows)."
    )
    spanish = (
        "1 nombre desconocido dentro de Lombardia (IT_25) se dejó fuera, como pide la asignación: "
        "&#x27;In fase di definizione/aggiornamento&#x27; (2 filas)."
    )
    assert f"<strong>{spanish}</strong>" in page
    assert (
        "<td>3</td><td>denominazione_regione, denominazione_provincia</td><td><code>IT_25</code></td>"
        f"<td>{spanish}</td>"
    ) in page
    assert "left out, as the mapping asks" not in page


@pytest.mark.django_db
def test_the_problems_csv_has_each_left_out_row_in_english_and_in_the_readers_language(checked):
    rows = list(csv.DictReader(io.StringIO("".join(error_rows_csv(checked, language="es")))))

    assert [(row["row"], row["denominazione_provincia"]) for row in rows] == [
        ("3", "In fase di definizione/aggiornamento"),
        ("5", "In fase di definizione/aggiornamento"),
    ]
    assert rows[0]["error"] == (
        "WARNING: 'In fase di definizione/aggiornamento' is not known inside Lombardia (IT_25): left out, as the "
        "mapping asks. [denominazione_regione, denominazione_provincia]"
    )
    assert rows[0]["error_es"] == (
        "ADVERTENCIA: 'In fase di definizione/aggiornamento' no es un lugar conocido dentro de Lombardia (IT_25): "
        "dejado fuera, como pide la asignación. [denominazione_regione, denominazione_provincia]"
    )


def test_names_added_into_their_region_read_with_each_languages_plurals_and_list_separator(reference_data):
    text = PROVINCES.decode() + "2020-03-02,Lombardia,Fuori Regione / Provincia Autonoma,2\n"
    report = run(text, country="IT", mapping={"unknown_sublocations": "aggregate"}).report
    added = next(p for p in report["problems"] if p["code"] == "sublocations_aggregated" and p.get("parent"))

    assert (
        translated(added)
        == added["message"]
        == (
            "2 names not known inside Lombardia (IT_25) were added into Lombardia: "
            "'In fase di definizione/aggiornamento' (2 rows), 'Fuori Regione / Provincia Autonoma' (1 row). "
            "Lombardia's values are the sums of all its rows in the file: these, and those of the 1 place inside it "
            "that we know, which keeps its own values too."
        )
    )
    with translation.override("fr"):
        assert translated(added) == (
            "2 noms inconnus dans Lombardia (IT_25) ont été ajoutés à Lombardia : "
            "'In fase di definizione/aggiornamento' (2 lignes), 'Fuori Regione / Provincia Autonoma' (1 ligne). "
            "Les valeurs de Lombardia sont les sommes de toutes ses lignes du fichier : celles-ci, et celles du "
            "1 lieu connu qu’il contient, qui garde aussi ses propres valeurs."
        )
    with translation.override("zh-hans"):  # Chinese brackets and list separator
        shown = translated(added)
    assert "'In fase di definizione/aggiornamento'\uff082 \u884c\uff09\u3001'Fuori Regione" in shown
