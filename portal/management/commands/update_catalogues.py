"""Refresh the translation catalogues: extract every marked string (both domains, every language),
set the headers, optionally fill translations from JSON tables, and compile the .mo files.

    manage.py update_catalogues                   # after marking strings (needs gettext's xgettext, msgmerge)
    manage.py update_catalogues --fill tables/    # then translations from tables/<locale>.json (any depth)
    manage.py update_catalogues --compile-only    # the .po files were edited by hand: only the .mo (no gettext)
    manage.py update_catalogues --check           # list what keeps a catalogue from shipping; fails if any
"""

from pathlib import Path

import polib
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.catalogues import (
    DOMAINS,
    catalogue_path,
    catalogue_problems,
    compile_catalogue,
    fill_from_tables,
    set_headers,
    translated_locales,
)

# What makemessages leaves out: other people's code, tests, benchmarks, vendored scripts, outputs.
IGNORED = [
    ".venv/*",
    "node_modules/*",
    "bench/*",
    "tests/*",
    "static/vendor/*",
    "staticfiles/*",
    "media/*",
    "var/*",
    "test-artifacts/*",
    "locale/*",
]


class Command(BaseCommand):
    help = "Extract, fill and compile the translation catalogues in locale/ (docs/translations.md)."

    def add_arguments(self, parser):
        parser.add_argument("--compile-only", action="store_true", help="Only write the .mo files.")
        parser.add_argument("--check", action="store_true", help="Only report problems (non-zero exit if any).")
        parser.add_argument(
            "--fill", action="append", default=[], type=Path, help="A folder of <locale>.json translation tables."
        )

    def handle(self, *args, compile_only=False, check=False, fill=(), **options):
        locales = translated_locales()
        if check:
            return self._check(locales)
        if not compile_only:
            catalogue_path(locales[0], DOMAINS[0]).parent.parent.parent.mkdir(parents=True, exist_ok=True)
            for domain in DOMAINS:
                call_command(
                    "makemessages",
                    locale=locales,
                    domain=domain,
                    ignore_patterns=IGNORED,
                    no_obsolete=True,
                    verbosity=max(0, options["verbosity"] - 1),
                )
        for locale in locales:
            tables = [path for folder in fill for path in sorted(folder.rglob(f"{locale}.json"))]
            for domain in DOMAINS:
                po_path = catalogue_path(locale, domain)
                if not po_path.exists():
                    continue
                catalogue = polib.pofile(str(po_path), wrapwidth=0)
                set_headers(catalogue, locale)
                filled = fill_from_tables(catalogue, tables) if tables else 0
                catalogue.save()
                compile_catalogue(po_path)
                done = len(catalogue.translated_entries())
                self.stdout.write(
                    f"{locale}/{domain}: {done} of {done + len(catalogue.untranslated_entries())} translated"
                    f", {len(catalogue.fuzzy_entries())} fuzzy" + (f", {filled} filled from tables" if tables else "")
                )

    def _check(self, locales):
        problems = [
            problem
            for locale in locales
            for domain in DOMAINS
            for problem in catalogue_problems(catalogue_path(locale, domain), locale)
        ]
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problems in the catalogues")
        self.stdout.write("Every catalogue is complete.")
