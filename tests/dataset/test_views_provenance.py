"""The provenance page: where each value came from and every change it went through."""

from datetime import timedelta

import pytest
from django.urls import reverse

from sources.models import Source
from tests.contributions.factories import SubmissionFactory
from tests.dataset.page_data import START, add_series, change_value, italy_and_france, make_release, make_source

pytestmark = pytest.mark.django_db


# --- provenance -------------------------------------------------------------------------------


def test_provenance_shows_source_submission_release_and_history(client, reference_data, make_user):
    _source, release = italy_and_france()
    ministry = make_source(
        "Ministero della Salute",
        url="https://salute.gov.it/covid",
        institution_type=Source.InstitutionType.MINISTRY,
        licence="IODL 2.0",
    )
    submission = SubmissionFactory(submitter=make_user(), source=ministry, status="merged")
    second = make_release(description="Italian ministry upload")
    changed_day = START + timedelta(days=3)
    change_value("IT", "confirmed", changed_day, 655, source=ministry, release=second, submission=submission)

    response = client.get(reverse("dataset:provenance", args=["IT", "confirmed"]))
    assert response.status_code == 200
    html = response.content.decode()
    values = html.split('data-testid="values">', 1)[1].split("</table>", 1)[0]
    row = values.split(f'datetime="{changed_day.isoformat()}"', 1)[1].split("</tr>", 1)[0]
    assert "655" in row
    assert "Ministero della Salute" in row
    assert f"Submission #{submission.pk}" in row
    assert f"Release {second.number}" in row
    history = html.split('data-testid="history">', 1)[1].split("</table>", 1)[0]
    assert history.count("<tr>") == 2  # header + one change
    assert ">650<" in history
    assert ">655<" in history
    assert "JHU CSSE COVID-19 Data → Ministero della Salute" in history
    assert f"{release.number} → {second.number}" in history


def test_provenance_without_changes_says_none_were_made(client, reference_data):
    italy_and_france()
    html = client.get(reverse("dataset:provenance", args=["FR", "confirmed"])).content.decode()
    assert "No value has been changed" in html
    assert html.split('data-testid="values">', 1)[1].count("<tr>") == 11


def test_provenance_can_be_narrowed_to_one_date_and_is_paginated(client, reference_data):
    source, release = italy_and_france()
    add_series("DE", "confirmed", list(range(120)), source=source, release=release)
    url = reverse("dataset:provenance", args=["DE", "confirmed"])
    first = client.get(url)
    assert first.context["values_page"].paginator.num_pages == 3
    assert first.context["values_page"][0].date == START + timedelta(days=119)  # newest first
    third = client.get(url, {"page": 3})
    assert len(third.context["values_page"]) == 20
    one_day = client.get(url, {"on": (START + timedelta(days=5)).isoformat()})
    assert [o.value for o in one_day.context["values_page"]] == [5]


def test_provenance_of_a_metric_published_per_region_links_each_region(client, reference_data):
    source, release = italy_and_france()
    add_series("CA_ON", "confirmed", [10, 20], source=source, release=release)
    add_series("CA_QC", "deaths", [1, 2], source=source, release=release)
    html = client.get(reverse("dataset:provenance", args=["CA", "confirmed"])).content.decode()
    links = html.split('data-testid="region-provenance">', 1)[1].split("</ul>", 1)[0]
    assert 'href="/data/CA_ON/confirmed/provenance/"' in links
    assert "CA_QC" not in links


def test_provenance_of_unknown_metric_or_place_is_404(client, reference_data):
    assert client.get("/data/IT/not_a_metric/provenance/").status_code == 404
    assert client.get("/data/ZZ_99/confirmed/provenance/").status_code == 404
