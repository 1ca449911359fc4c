"""The location resolver: codes and names inside a country's scope, and the country itself."""

import pytest

from places.resolver import LocationResolver


@pytest.fixture
def resolver(reference_data):
    return LocationResolver()


@pytest.mark.parametrize("text", ["IT", "ITA", "Italy", "italia"])
def test_a_national_file_may_name_its_own_country_by_code_or_name(resolver, text):
    italy = resolver.resolve("IT")
    found = resolver.resolve(text, scope=italy)
    assert found is not None, text
    assert found.key == "IT"


def test_inside_a_country_codes_of_other_countries_are_not_found(resolver):
    italy = resolver.resolve("IT")
    assert resolver.resolve("DE", scope=italy) is None
    assert resolver.resolve("IT_25", scope=italy).key == "IT_25"
