"""The public pages render for anyone, show live counts, and errors get friendly pages."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.sources.factories import SourceFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("home", "official"),
        ("how_to_help", "Working in a medical institution"),
        ("data_requirements", "vaccine_doses"),
        ("about", "CC BY 4.0"),
    ],
)
def test_public_page_renders(client, reference_data, name, text):
    response = client.get(reverse(name))
    assert response.status_code == 200
    content = response.content.decode()
    assert text in content
    assert 'href="/accounts/signup/"' in content  # everyone is invited to volunteer
    # The random CSRF token of the newsletter form can spell "cdn" by chance; every other byte is checked.
    assert "cdn" not in re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content).lower()


@pytest.mark.django_db
def test_how_to_help_has_a_sign_up_button_per_role(client, reference_data):
    from accounts.models import Skill

    content = client.get(reverse("how_to_help")).content.decode()
    for skill in Skill:
        assert f"/accounts/signup/?role={skill.value}" in content


@pytest.mark.django_db
def test_home_shows_live_counts(client, make_user):
    make_user("v1@example.org", countries=("IT",))
    make_user("v2@example.org", countries=("DE",))
    SourceFactory(name="Ministero della Salute", country_key="IT")
    response = client.get(reverse("home"))
    assert response.context["counts"]["volunteers"] == 2
    assert response.context["counts"]["sources"] == 1
    assert response.context["counts"]["countries_covered"] == 1
    assert 'data-testid="count-volunteers">2<' in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_server_error_page_is_friendly(rf):
    from portal.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
