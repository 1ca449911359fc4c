"""The translation catalogues in locale/ (docs/translations.md): their headers, compiling them without
gettext's tools, filling them from translation tables, and the checks a release needs.

`manage.py update_catalogues` extracts and compiles; tests/portal/test_translations.py runs
`catalogue_problems` on every catalogue, so an untranslated or fuzzy entry, a lost placeholder or a
stale .mo fails the build.
"""

import json
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation import to_locale

DOMAINS = ("django", "djangojs")
# gettext's plural rules, as each catalogue's Plural-Forms header must give them.
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "pt": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
    "n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5;",
    "zh_Hans": "nplurals=1; plural=0;",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")


def translated_locales() -> list[str]:
    """The locale directory names of every language but the source: es, fr, pt, ar, zh_Hans."""
    return [to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue_path(locale: str, domain: str, root: Path | None = None) -> Path:
    return Path(root or settings.LOCALE_PATHS[0]) / locale / "LC_MESSAGES" / f"{domain}.po"


def set_headers(catalogue: polib.POFile, locale: str) -> None:
    """The headers makemessages leaves as placeholders: the language and its plural rule."""
    catalogue.metadata["Language"] = locale
    catalogue.metadata["Plural-Forms"] = PLURAL_FORMS[locale]
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.metadata_is_fuzzy = False  # makemessages marks a new catalogue's header fuzzy


def compile_catalogue(po_path: Path) -> Path:
    """Write the .mo beside the .po (polib: no msgfmt needed); returns its path."""
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


def fill_from_tables(catalogue: polib.POFile, tables: list[Path]) -> int:
    """Translations from JSON tables (a list of {"msgid", "msgstr"} / {"msgid_plural", "msgstr_plural"},
    with an optional "msgctxt") into the entries with the same msgid and context; a filled entry loses
    its fuzzy flag. Returns how many entries were filled."""
    found: dict[tuple[str, str], dict] = {}
    for table in tables:
        for item in json.loads(table.read_text(encoding="utf-8")):
            found[(item.get("msgctxt") or "", item["msgid"])] = item
    filled = 0
    for entry in catalogue:
        item = found.get((entry.msgctxt or "", entry.msgid))
        if item is None or entry.obsolete:
            continue
        if entry.msgid_plural and item.get("msgstr_plural"):
            entry.msgstr_plural = dict(enumerate(item["msgstr_plural"]))
        elif not entry.msgid_plural and item.get("msgstr"):
            entry.msgstr = item["msgstr"]
        else:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        filled += 1
    return filled


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


def _entry_problems(entry: polib.POEntry) -> list[str]:
    name = repr(entry.msgid[:60]) + (f" ({entry.msgctxt})" if entry.msgctxt else "")
    if "fuzzy" in entry.flags:
        return [f"fuzzy: {name}"]
    forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    if not forms or not all(forms):
        return [f"untranslated: {name}"]
    source = entry.msgid + (entry.msgid_plural or "")
    problems = []
    for form in forms:
        if _placeholders(form) != _placeholders(source):
            problems.append(f"placeholders differ: {name} -> {form[:60]!r}")
        elif _tags(form) != _tags(entry.msgid):
            problems.append(f"HTML tags differ: {name} -> {form[:60]!r}")
    return problems


def _translations(entries) -> dict[tuple[str, str], object]:
    """(context, msgid) -> translation of the entries a .mo holds: translated, not fuzzy, not obsolete."""
    found: dict[tuple[str, str], object] = {}
    for entry in entries:
        forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)] if entry.msgid_plural else [entry.msgstr]
        if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and forms and all(forms):
            found[(entry.msgctxt or "", entry.msgid)] = tuple(forms)
    return found


def catalogue_problems(po_path: Path, locale: str) -> list[str]:
    """What keeps the catalogue at `po_path` (for `locale`, e.g. "ar") from shipping: a missing file, a
    wrong Plural-Forms, untranslated or fuzzy entries, placeholders or HTML tags the translation lost or
    added, a plural entry with the wrong number of forms, a .mo that does not hold what the .po does."""
    if not po_path.exists():
        return [f"{po_path}: missing"]
    catalogue = polib.pofile(str(po_path))
    problems = []
    plural_forms = catalogue.metadata.get("Plural-Forms", "").strip()
    if plural_forms != PLURAL_FORMS[locale]:
        problems.append(f"Plural-Forms is {plural_forms!r}, want {PLURAL_FORMS[locale]!r}")
    wanted_forms = int(PLURAL_FORMS[locale].split("nplurals=")[1].split(";")[0])
    for entry in catalogue:
        if entry.obsolete:
            continue
        problems += _entry_problems(entry)
        if entry.msgid_plural and len(entry.msgstr_plural) != wanted_forms:
            problems.append(f"{len(entry.msgstr_plural)} plural forms, want {wanted_forms}: {entry.msgid[:60]!r}")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        problems.append(f"{mo_path}: missing (manage.py update_catalogues compiles it)")
    elif _translations(polib.mofile(str(mo_path))) != _translations(catalogue):
        problems.append(f"{mo_path}: differs from the .po (manage.py update_catalogues --compile-only)")
    return [f"{po_path.parent.parent.name}/{po_path.name}: {problem}" for problem in problems]
