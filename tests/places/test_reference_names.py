"""The names real official files use are aliases the reference data load writes, made by rule from
ISO 3166-2 and pycountry's translations; a made name two places could share is nobody's."""

import csv
from pathlib import Path

import openpyxl
import pytest

from places.models import LocationAlias, normalise_name
from places.names import iso_name_variants, loose_name, translated_names
from places.reference import load_reference_data
from places.resolver import LocationResolver

REAL = Path(__file__).parents[1] / "data" / "real"


@pytest.fixture
def resolver(reference_data):
    return LocationResolver.current()


def column(filename, name, **where):
    with (REAL / filename).open(encoding="utf-8", newline="") as lines:
        rows = [row for row in csv.DictReader(lines) if all(row[k] in v for k, v in where.items())]
    return sorted({row[name] for row in rows})


def test_every_province_of_the_korean_file_resolves_in_korea(resolver):
    korea = resolver.get("KR")
    provinces = column("kr_TimeProvince.csv", "province")

    found = {name: resolver.resolve(name, scope=korea) for name in provinces}

    assert len(provinces) == 17
    assert {name: place.key for name, place in found.items() if place} == {
        "Busan": "KR_26",
        "Chungcheongbuk-do": "KR_43",
        "Chungcheongnam-do": "KR_44",
        "Daegu": "KR_27",
        "Daejeon": "KR_30",
        "Gangwon-do": "KR_42",
        "Gwangju": "KR_29",
        "Gyeonggi-do": "KR_41",
        "Gyeongsangbuk-do": "KR_47",
        "Gyeongsangnam-do": "KR_48",
        "Incheon": "KR_28",
        "Jeju-do": "KR_49",
        "Jeollabuk-do": "KR_45",
        "Jeollanam-do": "KR_46",
        "Sejong": "KR_50",
        "Seoul": "KR_11",
        "Ulsan": "KR_31",
    }


def test_every_french_region_department_and_overseas_name_of_the_french_file_resolves_in_france(resolver):
    france = resolver.get("FR")
    kinds = {"region", "departement", "collectivite-outremer"}
    names = column("fr_opencovid19_chiffres-cles_20200411.csv", "maille_nom", granularite=kinds)

    unknown = [name for name in names if resolver.resolve(name, scope=france) is None]

    assert len(names) == 119
    assert unknown == []
    assert resolver.resolve("Guyane", scope=france).key == "FR_973"
    assert resolver.resolve("La Réunion", scope=france).key == "FR_974"
    assert resolver.resolve("Wallis et Futuna", scope=france).key == "FR_WF"
    # The file's country and world rows: France is the country itself; "Monde" is no place.
    assert resolver.resolve("France", scope=france).key == "FR"
    assert resolver.resolve("Monde", scope=france) is None
    assert resolver.suggest("Monde", scope=france) == []


def test_the_french_files_department_numbers_resolve_and_its_own_prefixed_codes_do_not(resolver):
    # "16" is ISO 3166-2 FR-16, INSEE's number too; "DEP-16" and "REG-75" are the file's own codes.
    # Region numbers are INSEE's, not ISO's ("REG-11" is Île-de-France, FR-11 is Aude): no rule reads them.
    france = resolver.get("FR")
    assert resolver.resolve("16", scope=france).key == "FR_16"
    assert resolver.resolve("971", scope=france).key == "FR_971"
    assert resolver.resolve("2A", scope=france).key == "FR_2A"
    assert resolver.resolve("DEP-16", scope=france) is None
    assert resolver.resolve("REG-11", scope=france) is None


def test_the_region_names_of_the_protezione_civile_workbook_resolve_in_italy(resolver):
    book = openpyxl.load_workbook(REAL / "it_dpc-covid19-ita-master_20200308.xlsx", read_only=True)
    names = set()
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()))
        if "denominazione_regione" in header:
            at = header.index("denominazione_regione")
            names |= {str(row[at]).strip() for row in rows if row[at]}
    italy = resolver.get("IT")

    unknown = sorted(name for name in names if resolver.resolve(name, scope=italy) is None)

    assert len(names) == 22
    # The workbook's own abbreviation is no name a rule can make; the closest name is offered.
    assert unknown == ["Friuli V. G."]
    assert resolver.suggest("Friuli V. G.", scope=italy) == ["Friuli Venezia Giulia (IT_36)"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Seoul", "KR_11"),
        ("Gangwon-do", "KR_42"),
        ("Jeju-do", "KR_49"),
        ("Guyane", "FR_973"),
        ("Reggio di Calabria", "IT_RC"),
        ("Hubei", "CN_HB"),
        ("Comunidad de Madrid", "ES_MD"),
        ("Trentino-Südtirol", "IT_32"),
        ("Deutschland", "DE"),
    ],
)
def test_names_people_write_are_alias_rows(reference_data, text, key):
    aliases = LocationAlias.objects.filter(normalised=normalise_name(text))

    assert {alias.location.key for alias in aliases} == {key}


def test_a_made_name_that_another_place_carries_or_two_places_would_share_is_nobodys(resolver):
    # "Madrid" is the province ES-M, so "Madrid, Comunidad de" does not also get it.
    assert resolver.resolve("Madrid", scope=resolver.get("ES")).key == "ES_M"
    # "Kosovo" is the country XK, not a name of Serbia's Kosovo-Metohija.
    assert resolver.resolve("Kosovo").key == "XK"
    # Italian for both Mexico and its State of México: neither gets it.
    assert not LocationAlias.objects.filter(normalised="messico").exists()
    assert resolver.resolve("Messico") is None
    # A translation of FR-974 that is the country Réunion's name stays the country's.
    assert {a.location.key for a in LocationAlias.objects.filter(normalised="reunion")} == {"RE"}


def test_loading_again_adds_no_alias(reference_data):
    count = LocationAlias.objects.count()

    result = load_reference_data()

    assert result.aliases_created == 0
    assert LocationAlias.objects.count() == count


@pytest.mark.parametrize(
    ("name", "variants"),
    [
        ("Seoul-teukbyeolsi", {"Seoul"}),
        ("Gangwon-teukbyeoljachido", {"Gangwon", "Gangwon-do"}),
        ("Gyeonggi-do", {"Gyeonggi"}),
        ("Guyane (française)", {"Guyane"}),
        ("Hubei Sheng", {"Hubei"}),
        ("Guangxi Zhuangzu Zizhiqu", {"Guangxi"}),
        ("Madrid, Comunidad de", {"Madrid", "Comunidad de Madrid"}),
        ("Lleida [Lérida]", {"Lleida", "Lérida"}),
        ("Cardiff [Caerdydd GB-CRD]", {"Cardiff", "Caerdydd"}),
        ("Região Autónoma dos Açores", {"Açores"}),
        ("Distrito Federal", set()),
        ("Virgin Islands, U.S.", {"U.S. Virgin Islands"}),
        ("Armagh City, Banbridge and Craigavon", set()),
        ("Lombardia", set()),
    ],
)
def test_iso_names_lose_the_words_for_their_kind(name, variants):
    assert iso_name_variants(name) == variants


def test_translations_are_in_latin_letters_without_word_for_word_nonsense():
    names = translated_names("Brindisi") + translated_names("Trentino-Alto Adige")

    assert "Trentino-Südtirol" in names
    assert "Tósta" not in names  # Irish "toast": that catalogue is left out
    assert all(normalise_name(name) for name in names)
    assert "Er" not in translated_names("Eure")  # a word more often than a place


def test_names_are_compared_without_accents_case_apostrophes_or_linking_words():
    assert normalise_name("Côte-d’Or") == normalise_name("COTE D'OR") == "cote d or"
    assert normalise_name("Łódzkie") == "lodzkie"
    assert normalise_name("Møre og Romsdal") == "more og romsdal"
    assert loose_name(normalise_name("Reggio nell'Emilia")) == loose_name(normalise_name("Reggio Emilia"))
    assert loose_name(normalise_name("Monza e della Brianza")) == "monza brianza"
