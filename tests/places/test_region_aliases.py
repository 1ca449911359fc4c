"""Publishers' names of ISO 3166-2 subdivisions (`places/data/region_aliases.csv`, JHU's "Moscow Oblast",
"Kiev Oblast", "East Flanders"...): each names one existing subdivision of its country, no other place
there carries it, and JHU's lookup rows they name get their own place and population."""

from collections import defaultdict

import pycountry
import pytest

from dataset.models import Observation
from places.jhu_lookup import jhu_lookup_figures, read_lookup
from places.models import Location, LocationAlias, normalise_name
from places.reference import load_reference_data, read_region_aliases
from places.resolver import LocationResolver
from tests.dataset.jhu_data import import_jhu, write_csv

ROWS = read_region_aliases()


@pytest.mark.parametrize("row", ROWS, ids=[f"{row['country']}:{row['alias']}" for row in ROWS])
def test_each_alias_names_an_iso_subdivision_of_its_country_and_says_where_it_comes_from(row, reference_data):
    subdivision = pycountry.subdivisions.get(code=row["iso_3166_2"])
    assert subdivision is not None, row
    assert subdivision.country_code == row["country"]
    assert row["source"]
    place = Location.objects.get(iso_3166_2=row["iso_3166_2"])
    assert place.country_code == row["country"]
    assert LocationAlias.objects.filter(location=place, text=row["alias"]).exists()


def test_no_alias_is_given_twice_in_one_country():
    seen = [(row["country"], normalise_name(row["alias"])) for row in ROWS]
    assert len(seen) == len(set(seen))


@pytest.mark.django_db
def test_no_other_place_of_the_country_carries_an_alias(reference_data):
    carriers: dict[tuple[str, str], set[str]] = defaultdict(set)
    countries = {row["country"] for row in ROWS}
    for loc in Location.objects.filter(country_code__in=countries):
        carriers[(loc.country_code, normalise_name(loc.name))].add(loc.iso_3166_2 or loc.key)
    for alias in LocationAlias.objects.filter(location__country_code__in=countries).select_related("location"):
        carriers[(alias.location.country_code, alias.normalised)].add(alias.location.iso_3166_2 or alias.location.key)
    resolver = LocationResolver()
    for row in ROWS:
        assert carriers[(row["country"], normalise_name(row["alias"]))] == {row["iso_3166_2"]}, row
        found = resolver.resolve(row["alias"], scope=resolver.get(row["country"]))
        assert found is not None, row
        assert found.key == row["iso_3166_2"].replace("-", "_"), row


@pytest.mark.django_db
def test_every_russian_and_ukrainian_row_of_jhus_lookup_gets_a_place_of_its_own(reference_data):
    rows = [r for r in read_lookup() if r["Country_Region"] in ("Russia", "Ukraine") and r["Population"]]
    figures, result = jhu_lookup_figures(rows)
    assert (result.unmatched, result.ambiguous) == ([], [])
    provinces = [r for r in rows if r["Province_State"]]
    # The countries too; no two rows on one place; three figures JHU gets wrong are not used.
    assert len(result.not_used_ids) == len(result.not_used) == 3
    assert len(figures) + 3 == len(rows) == len(provinces) + 2
    assert not result.not_used_ids & set(figures)
    by_key = {Location.objects.get(pk=pk).key: figure for pk, figure in figures.items()}
    # The city and the oblast around it are two places.
    assert (by_key["RU_MOW"], by_key["RU_MOS"]) == (12_506_468, 7_503_385)
    assert (by_key["UA_30"], by_key["UA_32"]) == (2_950_800, 1_767_940)
    assert by_key["UA_43"] == 1_913_731  # "Crimea Republic*", listed by JHU under Ukraine only


@pytest.mark.django_db
def test_only_the_channel_islands_stay_unplaced(reference_data):
    assert load_reference_data().populations_unplaced == ["Channel Islands, United Kingdom"]
    assert Location.objects.get(key="BE_VOV").population == 1_515_064  # "East Flanders"
    assert Location.objects.get(key="RU_YEV").population == 162_014  # "Jewish Autonomous Okrug"


def test_import_jhu_puts_jhus_oblasts_on_their_iso_subdivisions(reference_data, tmp_path):
    path = write_csv(
        tmp_path / "time_series_covid19_confirmed_global.csv",
        [
            "Province/State,Country/Region,Lat,Long,1/22/20",
            "Moscow,Russia,55.7504,37.6175,5",
            "Moscow Oblast,Russia,55.5043,38.0353,3",
            "Kiev,Ukraine,50.4501,30.5234,2",
            "Kiev Oblast,Ukraine,50.053,30.7667,1",
        ],
    )
    import_jhu(path)
    stored = dict(Observation.objects.values_list("location__key", "value"))
    assert stored == {"RU_MOW": 5, "RU_MOS": 3, "UA_30": 2, "UA_32": 1}
