"""How to cite a release: plain text, BibTeX and CITATION.cff (Citation File Format 1.2.0), all from
one description so the three always say the same."""

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from .models import Release

CITATION_NAME = "CITATION.cff"  # in every release's files, its SHA-256 listed like theirs
LICENCE = "CC-BY-4.0"
AUTHOR = "COVID-19 Open Data volunteers and reviewers"


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _facts(release: Release) -> dict:
    return {
        "title": f"{settings.SITE_NAME}: official COVID-19 data, reviewed and open",
        "number": release.number,
        "date": release.created_at.date(),
        "url": _url(reverse("dataset:downloads")),
        "api": _url("/api/v1/"),
    }


def plain(release: Release) -> str:
    f = _facts(release)
    return (
        f"{AUTHOR} ({f['date'].year}). {f['title']}. Release {f['number']}, "
        f"{f['date'].strftime('%-d %B %Y')}. Licence CC BY 4.0. {f['url']}"
    )


def bibtex(release: Release) -> str:
    f = _facts(release)
    return (
        f"@misc{{covid19opendata_release{f['number']},\n"
        f"  author = {{{{{AUTHOR}}}}},\n"
        f"  title = {{{{{f['title']}}}}},\n"
        f"  year = {{{f['date'].year}}},\n"
        f"  month = {{{f['date'].strftime('%b').lower()}}},\n"
        f"  version = {{Release {f['number']}}},\n"
        f"  howpublished = {{\\url{{{f['url']}}}}},\n"
        f"  note = {{Release {f['number']} of {f['date'].isoformat()}, licence CC BY 4.0}}\n"
        "}\n"
    )


def citation_cff(release: Release) -> str:
    f = _facts(release)
    title = f["title"].replace('"', "'")
    return (
        "cff-version: 1.2.0\n"
        "message: If you use these data, please cite this release as below.\n"
        "type: dataset\n"
        f'title: "{title}"\n'
        "authors:\n"
        f'  - name: "{AUTHOR}"\n'
        f'version: "{f["number"]}"\n'
        f"date-released: {f['date'].isoformat()}\n"
        f"license: {LICENCE}\n"
        f'url: "{f["url"]}"\n'
        f'repository: "{f["api"]}"\n'
        "keywords:\n"
        "  - COVID-19\n"
        "  - open data\n"
        "  - epidemiology\n"
    )


def citation_info(release: Release) -> dict[str, str]:
    """What datapackage.json says about citing the release (its own `citation` property)."""
    return {"text": plain(release), "bibtex": bibtex(release), "path": CITATION_NAME}


def write_release_file(directory: Path, release: Release) -> Path:
    """CITATION.cff of a release, made from the release alone (a rebuild writes the same bytes)."""
    path = directory / CITATION_NAME
    path.write_text(citation_cff(release), encoding="utf-8")
    return path
