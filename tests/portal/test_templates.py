"""Templates keep behaviour and looks in static files: no inline styles or handlers, no dead URL guards."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [p for p in (ROOT / "templates").rglob("*.html") if "email" not in p.parts]  # mail clients need inline CSS
INLINE = re.compile(r"""\sstyle="|\son[a-z]+=["']""")
URL_GUARD = re.compile(r"{%\s*url\s+'[^']+'\s+as\s+(\w+)\s*%}\s*{%\s*if\s+\1\s*%}")


def offenders(pattern):
    return [
        f"{path.relative_to(ROOT)}:{number}"
        for path in PAGES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


def test_no_inline_styles_or_event_handlers():
    assert PAGES
    assert offenders(INLINE) == []


def test_no_guard_around_urls_that_always_exist():
    assert offenders(URL_GUARD) == []


def test_the_patterns_catch_what_they_are_for():
    assert INLINE.search('<div style="color: red">')
    assert INLINE.search("<form onsubmit='x()'>")
    assert not INLINE.search('<div data-style="x">')
    assert URL_GUARD.search("{% url 'sources:list' as u %}{% if u %}")
