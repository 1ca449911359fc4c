"""Every template keeps its user-facing text inside translation tags (portal.template_text)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from portal.template_text import untranslated_in, untranslated_text

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_has_text_outside_translation_tags():
    found = untranslated_in(TEMPLATES)
    listing = "\n".join(f"{path}:{line}: {text}" for path, lines in found.items() for line, text in lines)
    assert not found, f"Text outside translation tags (python -m portal.template_text templates):\n{listing}"


def test_the_base_template_is_fully_marked():
    assert untranslated_in(TEMPLATES / "base.html") == {}


@pytest.mark.parametrize(
    "source",
    [
        "<p>Upload a file</p>",
        '<img src="x.png" alt="A chart">',
        '<input type="submit" value="Send">',
        '<a href="/" title="Home page">{% translate "Home" %}</a>',
        "{% translate 'A' %} and a bare sentence",
        "<p>{{ count }} rows</p>",
    ],
)
def test_bare_text_is_found(source):
    assert untranslated_text("{% load i18n %}" + source)


@pytest.mark.parametrize(
    "source",
    [
        '<p>{% translate "Upload a file" %}</p>',
        "<p>{% blocktranslate trimmed with n=count %}{{ n }} rows were left out{% endblocktranslate %}</p>",
        '<img src="x.png" alt="{% translate "A chart" %}">',
        "<script>var label = 'Not user text';</script><style>.a::after { content: 'x'; }</style>",
        "<p>{{ location.name }} · 2020</p>",
        "<p>CSV, JSON, API</p>",
        "{# a comment #}{% comment %}Notes for developers{% endcomment %}",
        '<input type="hidden" name="next" value="somewhere">',
    ],
)
def test_translated_text_tags_scripts_and_names_pass(source):
    assert untranslated_text("{% load i18n %}" + source) == []


def test_a_line_number_points_at_the_text():
    assert untranslated_text("{% load i18n %}\n<div>\n  <p>Bare</p>\n</div>") == [(3, "Bare")]


def test_cached_fragments_are_kept_per_language():
    """`{% cache %}` keys only on what it is told: without LANGUAGE_CODE, the first reader's language
    would be served to everyone."""
    tags = [
        (path, tag)
        for path in sorted(TEMPLATES.rglob("*.html"))
        for tag in re.findall(r"{%\s*cache\s[^%]*%}", path.read_text(encoding="utf-8"))
    ]
    assert tags, "no cached fragment left: drop this test"
    assert [(str(path), tag) for path, tag in tags if "LANGUAGE_CODE" not in tag.split()] == []
