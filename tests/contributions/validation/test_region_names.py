"""An upload that names regions as JHU CSSE does ("Moscow Oblast", "Kiev Oblast") finds them by the
reference data's region aliases (places/data/region_aliases.csv): the city and the oblast around it
are two places, each keeping its own values."""

import pytest

from tests.contributions.validation.builders import run, values

pytestmark = pytest.mark.django_db


def test_an_upload_of_russian_regions_in_jhus_spelling_is_placed_without_a_mapping(reference_data):
    text = "date,region,confirmed\n2020-05-01,Moscow,20\n2020-05-01,Moscow Oblast,10\n2020-05-01,Tyva Republic,3\n"

    result = run(text, country="RU")

    assert result.is_valid, result.report["problems"]
    assert values(result) == {
        ("RU_MOW", "confirmed", "2020-05-01"): 20,
        ("RU_MOS", "confirmed", "2020-05-01"): 10,
        ("RU_TY", "confirmed", "2020-05-01"): 3,
    }


def test_a_file_of_several_countries_places_ukrainian_oblasts_under_their_country(reference_data):
    text = "date,country,province,confirmed\n2020-05-01,Ukraine,Kiev,4\n2020-05-01,Ukraine,Kiev Oblast,2\n"

    result = run(text)

    assert result.is_valid, result.report["problems"]
    assert values(result) == {("UA_30", "confirmed", "2020-05-01"): 4, ("UA_32", "confirmed", "2020-05-01"): 2}
