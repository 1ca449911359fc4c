"""Every catalogue is complete: each language and domain has a .po with no untranslated or fuzzy entry,
the placeholders and HTML tags of the English text, the right plural rule, and a .mo that holds the same
(the .mo files are committed: a fresh clone has no msgfmt). `manage.py update_catalogues --check` says
the same at a console."""

import json

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from portal.catalogues import (
    DOMAINS,
    PLURAL_FORMS,
    catalogue_path,
    catalogue_problems,
    compile_catalogue,
    fill_from_tables,
    set_headers,
    translated_locales,
)

LOCALES = ["es", "fr", "pt", "ar", "zh_Hans"]


def test_the_portal_speaks_the_five_languages_besides_english():
    assert translated_locales() == LOCALES
    assert [to_locale(code) for code, _ in settings.LANGUAGES] == ["en", *LOCALES]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_catalogue_is_complete(locale, domain):
    assert catalogue_problems(catalogue_path(locale, domain), locale) == []


# The checker itself, on small catalogues written here.


def write_catalogue(folder, locale, entries, *, plural_forms=None, compile_it=True):
    catalogue = polib.POFile()
    set_headers(catalogue, locale)
    if plural_forms:
        catalogue.metadata["Plural-Forms"] = plural_forms
    for entry in entries:
        catalogue.append(polib.POEntry(**entry))
    path = folder / locale / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    catalogue.save(str(path))
    if compile_it:
        compile_catalogue(path)
    return path


FILES = {"msgid": "%(n)s file", "msgid_plural": "%(n)s files"}
GOOD = [
    {"msgid": "Sign in", "msgstr": "Iniciar sesión"},
    {"msgid": "Main", "msgctxt": "navigation landmark", "msgstr": "Principal"},
    {"msgid": "%(count)s rows left out", "msgstr": "%(count)s filas omitidas"},
    {"msgid": 'See <a href="%(url)s">the guide</a>', "msgstr": 'Vea <a href="%(url)s">la guía</a>'},
    {
        "msgid": "%(count)s unread",
        "msgid_plural": "%(count)s unread",
        "msgstr_plural": {0: "%(count)s sin leer", 1: "%(count)s sin leer"},
    },
]


def test_a_complete_catalogue_passes(tmp_path):
    assert catalogue_problems(write_catalogue(tmp_path, "es", GOOD), "es") == []


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"msgid": "Sources", "msgstr": ""}, "untranslated: 'Sources'"),
        ({"msgid": "Sources", "msgstr": "Fuentes", "flags": ["fuzzy"]}, "fuzzy: 'Sources'"),
        ({"msgid": "%(count)s rows", "msgstr": "%(total)s filas"}, "placeholders differ"),
        ({"msgid": "%(count)s rows", "msgstr": "filas"}, "placeholders differ"),
        ({"msgid": "<strong>New</strong>", "msgstr": "Nuevo"}, "HTML tags differ"),
        ({**FILES, "msgstr_plural": {0: "%(n)s archivo", 1: ""}}, "untranslated"),
        ({**FILES, "msgstr_plural": {0: "%(n)s archivos"}}, "1 plural forms, want 2"),
    ],
)
def test_a_catalogue_with_a_bad_entry_fails(tmp_path, bad, problem):
    problems = catalogue_problems(write_catalogue(tmp_path, "es", [*GOOD, bad]), "es")
    assert len(problems) == 1, problems
    assert problem in problems[0]


def test_arabic_needs_its_six_plural_forms_and_rule(tmp_path):
    entry = {**FILES, "msgstr_plural": {i: f"%(n)s ملف {i}" for i in range(6)}}
    assert catalogue_problems(write_catalogue(tmp_path / "a", "ar", [entry]), "ar") == []
    wrong_rule = write_catalogue(tmp_path / "b", "ar", [entry], plural_forms="nplurals=2; plural=(n != 1);")
    assert "Plural-Forms is" in catalogue_problems(wrong_rule, "ar")[0]
    assert PLURAL_FORMS["ar"].startswith("nplurals=6;")


def test_a_missing_or_stale_mo_fails(tmp_path):
    path = write_catalogue(tmp_path, "fr", [{"msgid": "Sign in", "msgstr": "Se connecter"}], compile_it=False)
    assert "missing" in catalogue_problems(path, "fr")[0]
    compile_catalogue(path)
    assert catalogue_problems(path, "fr") == []
    catalogue = polib.pofile(str(path))
    catalogue[0].msgstr = "Connexion"
    catalogue.save()
    assert "differs from the .po" in catalogue_problems(path, "fr")[0]


def test_a_missing_catalogue_fails(tmp_path):
    path = tmp_path / "pt" / "LC_MESSAGES" / "djangojs.po"
    assert catalogue_problems(path, "pt") == [f"{path}: missing"]


def test_tables_fill_the_entries_with_the_same_msgid_and_context_and_clear_fuzzy(tmp_path):
    path = write_catalogue(
        tmp_path,
        "fr",
        [
            {"msgid": "Main", "msgctxt": "navigation landmark", "msgstr": "", "flags": ["fuzzy"]},
            {"msgid": "Main", "msgstr": ""},
            {**FILES, "msgstr_plural": {0: "", 1: ""}},
        ],
        compile_it=False,
    )
    table = tmp_path / "fr.json"
    table.write_text(
        json.dumps(
            [
                {"msgctxt": "navigation landmark", "msgid": "Main", "msgstr": "Principale"},
                {**FILES, "msgstr_plural": ["%(n)s fichier", "%(n)s fichiers"]},
            ]
        )
    )
    catalogue = polib.pofile(str(path))
    assert fill_from_tables(catalogue, [table]) == 2
    landmark, plain, plural = catalogue
    assert (landmark.msgstr, landmark.flags) == ("Principale", [])
    assert plain.msgstr == ""  # another context: not filled
    assert plural.msgstr_plural == {0: "%(n)s fichier", 1: "%(n)s fichiers"}
