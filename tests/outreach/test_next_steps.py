"""The page a volunteer lands on: what to do next for each of their countries."""

import pytest
from django.urls import reverse

from tests.sources.factories import SourceFactory


@pytest.mark.django_db
def test_a_country_without_a_source_asks_for_one_and_one_with_a_source_asks_for_its_data(client, make_user):
    client.force_login(make_user("giulia@example.org", countries=("IT", "MT")))
    SourceFactory(name="Ministero della Salute", country_key="IT", licence="CC BY 4.0")
    page = client.get(reverse("outreach:next_steps"))
    assert page.status_code == 200
    italy, malta = (entry for entry in page.context["countries"])
    assert (italy.country.key, malta.country.key) == ("IT", "MT")  # primary country first
    html = page.content.decode()
    assert "Upload data for Italy" in html
    assert "Needs its first data" in html
    assert "Upload data for Malta" not in html
    assert "Needs an official source" in html
    assert f"{reverse('sources:propose')}?country=MT" in html


@pytest.mark.django_db
def test_only_signed_in_volunteers_see_it(client):
    response = client.get(reverse("outreach:next_steps"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
