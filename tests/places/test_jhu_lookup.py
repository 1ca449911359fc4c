"""First-level places (Italy's regions, US states, ...) get JHU's UID lookup population, shown with its
source on the location page and in the locations API, which the explorer's "per 100,000 people" divides
by; a population from another source stays, and a name that matches no single place is counted, not guessed."""

import csv

import pytest
from django.urls import reverse

from places import jhu_lookup, populations
from places.jhu_lookup import LOOKUP_FILE, LOOKUP_SOURCE, load_jhu_lookup_populations
from places.models import Location
from places.reference import load_reference_data
from tests.dataset.jhu_data import early_file, import_jhu

HEADER = "UID,iso2,iso3,code3,FIPS,Admin2,Province_State,Country_Region,Lat,Long_,Combined_Key,Population"


def test_the_vendored_file_is_jhus_first_level_rows():
    with LOOKUP_FILE.open(newline="", encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n") == HEADER
    rows = jhu_lookup.read_lookup()
    assert len(rows) == 828  # data/SOURCES.md
    assert len({row["UID"] for row in rows}) == len(rows)
    assert all(row["Admin2"] == "" for row in rows)
    assert all(row["Population"] == "" or row["Population"].isdigit() for row in rows)
    lombardia = next(row for row in rows if row["Combined_Key"] == "Lombardia, Italy")
    assert (lombardia["UID"], lombardia["Population"]) == ("38003", "10060574")


@pytest.mark.django_db
def test_a_region_gets_jhus_population_with_its_source_on_the_page_and_in_the_api(client, reference_data):
    lombardia = Location.objects.get(key="IT_25")
    assert (lombardia.population, lombardia.population_source, lombardia.population_year) == (
        10_060_574,
        LOOKUP_SOURCE,
        None,  # JHU gives no single year for the table
    )
    assert Location.objects.get(key="US_CA").population == 39_512_223
    assert Location.objects.get(key="CN_XZ").population == 3_440_000  # "Tibet", one of PROVINCE_KEYS
    html = client.get(reverse("dataset:location", args=["IT_25"])).content.decode()
    shown = html.split('data-testid="population">', 1)[1].split("</span>", 1)[0]
    assert shown == f"Population 10,060,574 ({LOOKUP_SOURCE})"
    body = client.get(reverse("location-detail", args=["IT_25"])).json()
    assert (body["population"], body["population_source"], body["population_year"]) == (10_060_574, LOOKUP_SOURCE, None)
    # Per 100,000 people is value × 100,000 / this population (dataset/derived.py, the API's series/).
    assert round(50_000 * 100_000 / body["population"], 2) == 496.99


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_other_sources_stay(reference_data):
    assert load_jhu_lookup_populations().changed == 0
    assert load_reference_data().populations_changed == 0
    Location.objects.filter(key="IT_25").update(population=10_000_000, population_source="ISTAT", population_year=2023)
    Location.objects.filter(key="US_CA").update(population=1, population_source=populations.JHU_SOURCE)
    italy = Location.objects.get(key="IT")
    load_reference_data()
    assert Location.objects.get(key="US_CA").population == 1  # JHU's US files' figure is not the table's
    lombardia = Location.objects.get(key="IT_25")
    assert (lombardia.population, lombardia.population_source, lombardia.population_year) == (10_000_000, "ISTAT", 2023)
    assert Location.objects.get(key="IT").population_source == italy.population_source  # GeoNames', not JHU's
    assert italy.population_source.startswith("World Bank via GeoNames")


@pytest.mark.django_db
def test_a_territory_jhu_lists_as_a_province_is_found_by_its_iso2(reference_data):
    Location.objects.filter(key="FO").update(population=None, population_source=None, population_year=None)
    load_jhu_lookup_populations()
    assert Location.objects.get(key="FO").population == 48_865  # "Faroe Islands, Denmark"


def _lookup_file(folder, *rows):
    path = folder / "lookup.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER.split(","))
        for uid, province, country, population in rows:
            writer.writerow([uid, "", "", "", "", "", province, country, "", "", f"{province}, {country}", population])
    return path


@pytest.mark.django_db
def test_a_name_that_matches_no_single_place_is_counted_not_guessed(reference_data, tmp_path):
    italy = Location.objects.get(key="IT")
    for key in ("IT_TWIN_A", "IT_TWIN_B"):
        Location.objects.create(
            key=key, name="Twin Town", level=Location.Level.SUBREGION, parent=italy, country_code="IT"
        )
    path = _lookup_file(tmp_path, ("1", "Atlantis", "Italy", "777"), ("2", "Twin Town", "Italy", "778"))
    result = load_jhu_lookup_populations(path)
    assert result.unmatched == ["Atlantis, Italy"]
    assert result.ambiguous == ["Twin Town, Italy"]
    assert (result.placed, result.changed) == (0, 0)
    assert not Location.objects.filter(population__in=[777, 778]).exists()


@pytest.mark.django_db
def test_a_province_the_jhu_import_creates_gets_its_population(reference_data):
    import_jhu(early_file("confirmed"))
    channel_islands = Location.objects.get(parent__key="GB", name="Channel Islands")
    assert (channel_islands.population, channel_islands.population_source) == (170_499, LOOKUP_SOURCE)


@pytest.mark.django_db
def test_figures_the_table_gets_wrong_are_not_used_and_an_old_copy_is_taken_back(reference_data):
    tyumen, mykolaiv, lviv = (Location.objects.get(key=key) for key in ("RU_TYU", "UA_48", "UA_46"))
    assert tyumen.population is None  # JHU's 3,692,400 counts two autonomous okrugs as well
    assert mykolaiv.population is None  # JHU gives it Lviv's figure
    assert lviv.population == 2_522_021
    # A database loaded before the figure was known to be wrong: the next load takes it back.
    Location.objects.filter(pk=tyumen.pk).update(population=3_692_400, population_source=LOOKUP_SOURCE)
    result = load_jhu_lookup_populations()
    assert "Tyumen Oblast, Russia" in result.not_used
    tyumen.refresh_from_db()
    assert (tyumen.population, tyumen.population_source) == (None, "")
    khanty_mansi = Location.objects.get(key="RU_KHM").population  # the okrug keeps its own figure
    assert khanty_mansi is not None
    assert khanty_mansi > 1_000_000
