"""Citing a release: text, BibTeX and CITATION.cff name the release; the downloads page offers one
country's file and a download filtered by places, metrics and dates."""

import pytest
import yaml
from django.urls import reverse

from tests.dataset.page_data import italy_and_france

pytestmark = pytest.mark.django_db


def test_the_downloads_page_shows_the_citation_of_the_latest_release(client, reference_data):
    _source, release = italy_and_france()
    html = client.get(reverse("dataset:downloads")).content.decode()
    plain = html.split('data-testid="citation-plain"><code>', 1)[1].split("</code>", 1)[0]
    assert f"Release {release.number}, " in plain
    assert "CC BY 4.0" in plain
    bibtex = html.split('data-testid="citation-bibtex"><code>', 1)[1].split("</code>", 1)[0]
    assert bibtex.startswith(f"@misc{{covid19opendata_release{release.number},")
    assert f"version = {{Release {release.number}}}" in bibtex


def test_every_release_has_a_citation_file(client, reference_data):
    _source, release = italy_and_france()
    response = client.get(reverse("dataset:download_file", args=[release.number, "CITATION.cff"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="CITATION.cff"'
    cff = yaml.safe_load(response.content)
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert cff["version"] == str(release.number)
    assert cff["license"] == "CC-BY-4.0"
    assert cff["date-released"] == release.created_at.date()
    assert client.get(reverse("dataset:download_file", args=[999, "CITATION.cff"])).status_code == 404


def test_one_country_and_filtered_downloads_ask_the_public_api(client, reference_data):
    italy_and_france()
    html = client.get(reverse("dataset:downloads")).content.decode()
    country_form = html.split('data-testid="country-form"', 1)[1].split("</form>", 1)[0]
    assert 'action="/api/v1/observations/"' in html
    assert '<option value="IT">Italy</option>' in country_form
    assert '<option value="FR">France</option>' in country_form
    response = client.get("/api/v1/observations/", {"format": "csv", "include_subregions": "true", "location": "IT"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "date,location,metric,value,source,release"
    assert len(lines) == 1 + 20  # Italy: confirmed and deaths, 10 days
    filtered = client.get(
        "/api/v1/observations/",
        {"format": "csv", "location": "IT,FR", "metric": ["confirmed"], "date_from": "2020-02-25", "date_to": ""},
    )
    rows = b"".join(filtered.streaming_content).decode().splitlines()[1:]
    assert {row.split(",")[1] for row in rows} == {"IT", "FR"}
    assert all(row.split(",")[2] == "confirmed" and row >= "2020-02-25" for row in rows)
