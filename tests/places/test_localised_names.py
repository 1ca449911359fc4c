"""Place names in the reader's language: CLDR for countries, pycountry's ISO 3166-2 for subdivisions."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from places.localised_names import localised_place_name, place_name
from places.models import Location


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Italy"), ("es", "Italia"), ("fr", "Italie"), ("pt", "Itália"), ("ar", "إيطاليا"), ("zh-hans", "意大利")],
)
def test_a_country_is_named_in_each_language(language, expected):
    assert localised_place_name("IT", "Italy", language) == expected


def test_portuguese_is_europes_and_names_are_the_display_forms_not_isos_sorting_forms():
    assert localised_place_name("AM", "Armenia", "pt") == "Arménia"  # Brazil writes "Armênia"
    assert localised_place_name("RU", "Russian Federation", "fr") == "Russie"  # ISO: "Russie, Fédération de"
    assert localised_place_name("BF", "Burkina Faso", "es") == "Burkina Faso"  # pycountry: "Burquina Faso"


def test_a_subdivision_is_named_from_the_iso_3166_2_catalogue():
    assert localised_place_name("DE_BY", "Bayern", "fr") == "Bavière"
    assert localised_place_name("IT_25", "Lombardia", "es") == "Lombardía"
    assert localised_place_name("IT_25", "Lombardia", "zh-hans") == "伦巴第"


def test_without_a_translation_the_stored_name_stays():
    assert localised_place_name("IT_25", "Lombardia", "ar") == "Lombardia"  # no Arabic ISO 3166-2 catalogue
    assert localised_place_name("SHIP_MS_ZAANDAM", "MS Zaandam", "fr") == "MS Zaandam"
    assert localised_place_name("US_CA_06037", "Los Angeles County", "zh-hans") == "Los Angeles County"
    assert localised_place_name("ZZ", "Nowhere", "es") == "Nowhere"
    # English is the stored name itself, even where CLDR's English differs ("South Korea").
    assert localised_place_name("KR", "Korea, Republic of", "en") == "Korea, Republic of"


def test_place_name_takes_a_location_an_object_or_a_dict_in_the_active_language():
    italy = Location(key="IT", name="Italy", level=Location.Level.COUNTRY)
    with translation.override("fr"):
        assert place_name(italy) == "Italie"
        assert place_name({"key": "DE", "name": "Germany"}) == "Allemagne"
        assert place_name(SimpleNamespace(key="ES", name="Spain")) == "Espagne"
        assert place_name(None) == ""
    assert place_name(italy, "es") == "Italia"


def test_the_template_filter_follows_the_active_language():
    template = Template("{% load places %}{{ place|place_name }} / {{ region|place_name }}")
    context = Context({"place": {"key": "IT", "name": "Italy"}, "region": {"key": "IT_25", "name": "Lombardia"}})
    with translation.override("zh-hans"):
        assert template.render(context) == "意大利 / 伦巴第"
    with translation.override("en"):
        assert template.render(context) == "Italy / Lombardia"
