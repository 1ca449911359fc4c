"""Find user-facing text in templates that is outside a translation tag.

Used by tests/portal/test_template_text.py and by whoever marks templates for translation
(`python -m portal.template_text templates/dataset` lists what is left).

Text counts as user-facing when it holds a letter and stands in a template's HTML outside
`{% translate %}`/`{% blocktranslate %}`, `<script>`, `<style>` and comments: element text, and the
attributes people read (title, alt, placeholder, aria-label, aria-description, and the value of a
button-like input). Django tags and variables are left out: what they print is translated where it
is made.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "svg"}
LETTER = re.compile(r"[^\W\d_]")
# Stand-ins for Django tags and variables inside the HTML handed to the parser.
PLACEHOLDER = "\x00"
# Words that are the same in every language: names of things, units, and formats.
UNTRANSLATED_WORDS = {
    "API",
    "CSV",
    "JSON",
    "XLSX",
    "Parquet",
    "JHU",
    "CSSE",
    "ISO",
    "URL",
    "SHA-256",
    "DOI",
    "GitHub",
    "Atom",
    "ORCID",
    "TOTP",
    "e.g.",
}


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        values = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                tag == "input" and name == "value" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if readable and value:
                self._check(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._check(data)

    def _check(self, text: str) -> None:
        for part in text.split(PLACEHOLDER):
            words = [w for w in part.split() if w.strip(".,:;()[]!?*·—–-/|") not in UNTRANSLATED_WORDS]
            if LETTER.search(" ".join(words)):
                self.found.append((self.getpos()[0], " ".join(part.split())))


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every piece of user-facing text outside a translation tag in a template's source."""
    pieces: list[str] = []
    inside_translation = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name in ("blocktranslate", "blocktrans"):
                inside_translation += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                inside_translation -= 1
            elif name in ("comment",):
                inside_translation += 1
            elif name == "endcomment":
                inside_translation -= 1
            pieces.append(PLACEHOLDER + "\n" * token.contents.count("\n"))
        elif token.token_type == TokenType.TEXT and not inside_translation:
            pieces.append(token.contents)
        else:
            pieces.append(PLACEHOLDER + "\n" * token.contents.count("\n"))
    finder = _TextFinder()
    finder.feed("".join(pieces))
    finder.close()
    return finder.found


def untranslated_in(folder: Path) -> dict[str, list[tuple[int, str]]]:
    """Every template under `folder` (or the template `folder` names) with text outside translation tags, by path."""
    report = {}
    paths = [folder] if folder.is_file() else sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.txt"))
    for path in paths:
        found = untranslated_text(path.read_text(encoding="utf-8"))
        if found:
            report[str(path)] = found
    return report


if __name__ == "__main__":
    for folder in sys.argv[1:] or ["templates"]:
        for path, found in untranslated_in(Path(folder)).items():
            for line, text in found:
                print(f"{path}:{line}: {text}")
