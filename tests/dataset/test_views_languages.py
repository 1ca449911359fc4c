"""The data pages in the reader's language: cached parts are kept per language, places are named in
it, the embed page says which language it is in, and no template text is left out of translation."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal.template_text import untranslated_in
from tests.dataset.page_data import italy_and_france

pytestmark = pytest.mark.django_db


def captions(response) -> list[str]:
    return re.findall(r"<caption[^>]*>(.*?)</caption>", response.content.decode(), re.S)


def test_a_french_reader_after_an_english_one_gets_the_cached_charts_section_in_french(client, reference_data):
    italy_and_france()
    english = client.get(reverse("dataset:location", args=["IT"]))
    assert any("Italy" in caption for caption in captions(english))

    french = client.get(reverse("dataset:location", args=["IT"]), HTTP_ACCEPT_LANGUAGE="fr")

    assert captions(french)
    assert all("Italy" not in caption for caption in captions(french))
    assert any("Italie" in caption for caption in captions(french))
    assert any("Italy" in caption for caption in captions(client.get(reverse("dataset:location", args=["IT"]))))


def test_the_cached_countries_table_names_countries_in_each_readers_language(client, reference_data):
    italy_and_france()
    assert ">Italy</a>" in client.get(reverse("dataset:countries")).content.decode()

    french = client.get(reverse("dataset:countries"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert ">Italie</a>" in french
    assert ">Italy</a>" not in french


def test_metric_names_and_descriptions_follow_the_reader_though_the_database_holds_them_in_english(
    client, reference_data
):
    italy_and_france()
    english = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    assert ">Deaths</h2>" in english

    spanish = client.get(reverse("dataset:location", args=["IT"]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    dictionary = client.get(reverse("dataset:dictionary"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert ">Fallecimientos</h2>" in spanish
    assert "atribuye a la COVID-19" in spanish  # the description under the heading
    assert "<td>死亡</td>" in dictionary


def test_the_embed_page_says_its_language_and_direction(client, reference_data):
    italy_and_france()
    assert '<html lang="en">' in client.get(reverse("dataset:embed")).content.decode()
    assert (
        '<html lang="ar" dir="rtl">' in client.get(reverse("dataset:embed"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    )


def test_every_text_of_the_data_pages_is_marked_for_translation():
    assert untranslated_in(Path(settings.BASE_DIR) / "templates" / "dataset") == {}
