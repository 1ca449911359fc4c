"""Content-Security-Policy (django-csp): on in the production profile and on every page, with nothing
inline allowed; the templates keep no inline script or style for it to block."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [p for p in (ROOT / "templates").rglob("*.html") if "email" not in p.parts]
PROBE = """
import django
django.setup()
from django.test import Client
print(Client().get("/api/v1/ping/", secure=True).headers.get("Content-Security-Policy", ""))
"""


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_strict(header: str) -> None:
    policy = directives(header)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header


def test_the_production_profile_sends_the_policy():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="portal.settings",
        SECRET_KEY="y" * 64 + "-not-a-real-secret-but-long-enough",
        ALLOWED_HOSTS="testserver",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert_strict(result.stdout.strip())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/data/", "/sources/", "/coverage/", "/support/", "/accounts/login/", "/accounts/signup/"]
)
def test_pages_carry_the_strict_policy(client, reference_data, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert_strict(response["Content-Security-Policy"])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_allow_inline_styles_only(client, url):
    policy = directives(client.get(url)["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)=["']\s*javascript:""", re.IGNORECASE)


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, STYLE_BLOCK, JAVASCRIPT_URL])
def test_templates_hold_no_inline_script_or_style(pattern):
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in PAGES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_the_patterns_catch_what_they_are_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">')
    assert not INLINE_SCRIPT.search('<script src="/static/js/forms.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="x" type="application/json">')
    assert STYLE_BLOCK.search("<style>")
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')
