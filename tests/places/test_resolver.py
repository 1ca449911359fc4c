"""The location resolver: codes, names and aliases inside a scope, ambiguity, and suggestions that
point only at places the file can mean."""

import pytest

from places.models import Location, LocationAlias
from places.resolver import AmbiguousLocation, LocationResolver


@pytest.fixture
def resolver(reference_data):
    return LocationResolver.current()


def key_of(resolver, text, scope=None, **kwargs):
    place = resolver.resolve(text, scope=resolver.get(scope) if scope else None, **kwargs)
    return place.key if place else None


@pytest.mark.parametrize("text", ["IT", "ITA", "Italy", "italia"])
def test_a_national_file_may_name_its_own_country_by_code_or_name(resolver, text):
    assert key_of(resolver, text, "IT") == "IT"


def test_inside_a_country_codes_of_other_countries_are_not_found(resolver):
    assert key_of(resolver, "DE", "IT") is None
    assert key_of(resolver, "IT_25", "IT") == "IT_25"


@pytest.mark.parametrize(("text", "key"), [("IT_25", "IT_25"), ("IT-25", "IT_25"), ("25", "IT_25"), ("bg", "IT_BG")])
def test_codes_resolve_inside_their_country(resolver, text, key):
    assert key_of(resolver, text, "IT") == key


def test_a_scheme_reads_its_own_codes_with_or_without_leading_zeros(resolver):
    # Protezione Civile's codice_regione: 1 is Piemonte, 21 the autonomous province of Bolzano;
    # in ISO 3166-2, IT-21 is Piemonte.
    for text in ("1", "01", "1.0"):
        assert key_of(resolver, text, "IT", scheme="istat") == "IT_21"
    assert key_of(resolver, "21", "IT", scheme="istat") == "IT_BZ"
    assert key_of(resolver, "21", "IT") == "IT_21"


def test_a_name_resolves_inside_its_scope_only(resolver):
    assert key_of(resolver, "Georgia", "US") == "US_GA"
    assert key_of(resolver, "Georgia") == "GE"
    assert key_of(resolver, "Lombardia", "FR") is None


def test_a_place_named_under_itself_is_itself(resolver):
    # Protezione Civile's province file: province "Bolzano" in region "P.A. Bolzano", "Aosta" in "Valle d'Aosta".
    assert key_of(resolver, "Bolzano", "IT_BZ") == "IT_BZ"
    assert key_of(resolver, "Trento", "IT_TN") == "IT_TN"
    assert key_of(resolver, "Aosta", "IT_23") == "IT_23"
    assert key_of(resolver, "Bolzano", "IT_32") == "IT_BZ"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Côte-d'Or", "FR_21"),
        ("Côte-d’Or", "FR_21"),
        ("COTE D OR", "FR_21"),
        ("cote-d-or", "FR_21"),
        ("Provence-Alpes-Côte d'Azur", "FR_PAC"),  # ISO writes Côte-d’Azur
        ("ile de france", "FR_IDF"),
        ("Reggio nell’Emilia", "IT_RE"),
    ],
)
def test_accents_apostrophes_hyphens_and_case_do_not_matter(resolver, text, key):
    scope = key.split("_")[0]
    assert key_of(resolver, text, scope) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Reggio di Calabria", "IT_RC"),
        ("Reggio nell'Emilia", "IT_RE"),
        ("Monza e della Brianza", "IT_MB"),
        ("Pesaro e Urbino", "IT_PU"),
        ("Massa Carrara", "IT_MS"),
        ("L'Aquila", "IT_AQ"),
        ("Bolzano", "IT_BZ"),
        ("Trento", "IT_TN"),
        ("P.A. Bolzano", "IT_BZ"),
        ("P.A. Trento", "IT_TN"),
        ("Emilia Romagna", "IT_45"),
        ("Valle d'Aosta", "IT_23"),
    ],
)
def test_protezione_civile_spellings_resolve_in_italy(resolver, text, key):
    assert key_of(resolver, text, "IT") == key


def test_several_places_in_scope_with_one_name_are_ambiguous(resolver):
    italy = resolver.get("IT")
    for key in ("IT_BG", "IT_BS"):
        LocationAlias.objects.create(location=Location.objects.get(key=key), text="Orobie")
    fresh = LocationResolver()

    with pytest.raises(AmbiguousLocation) as raised:
        fresh.resolve("Orobie", scope=italy)
    assert [p.key for p in raised.value.places] == ["IT_BG", "IT_BS"]
    with pytest.raises(AmbiguousLocation):  # both are in Lombardia
        fresh.resolve("Orobie", scope=fresh.get("IT_25"))
    assert fresh.resolve("Orobie", scope=fresh.get("FR")) is None


def test_without_linking_words_a_name_must_name_one_place(resolver):
    # "Reggio nell'Emilia" is found as "Reggio Emilia"; a loose form two places share finds neither.
    LocationAlias.objects.create(location=Location.objects.get(key="IT_BG"), text="Valle di Orobia")
    LocationAlias.objects.create(location=Location.objects.get(key="IT_SO"), text="Valle della Orobia")
    fresh = LocationResolver()

    assert fresh.resolve("Valle di Orobia", scope=fresh.get("IT")).key == "IT_BG"
    with pytest.raises(AmbiguousLocation):
        fresh.resolve("Valle nell'Orobia", scope=fresh.get("IT"))


def test_suggestions_are_close_names_under_the_same_parent(resolver):
    korea, france = resolver.get("KR"), resolver.get("FR")

    assert resolver.suggest("Daejon", scope=korea) == ["Daejeon-gwangyeoksi (KR_30)"]
    assert all("KR_50" not in label for label in resolver.suggest("Daejeon", scope=korea))
    assert resolver.suggest("Monde", scope=france) == []
    assert resolver.suggest("Lombardi", scope=resolver.get("IT")) == ["Lombardia (IT_25)"]
    assert resolver.suggest("Lombardi", scope=france) == []


def test_without_a_scope_only_countries_and_other_top_level_places_are_suggested(resolver):
    assert resolver.suggest("Germny") == ["Germany (DE)"]
    assert resolver.suggest("Lombardi") == []
    assert resolver.suggest("Mondo") == []
    assert resolver.suggest("Canadaa") == ["Canada (CA)"]
    assert resolver.suggest("USS") == []  # short names are alike by chance: not "AUS", "MUS"


def test_suggestions_include_the_scope_itself_and_abbreviations(resolver):
    assert resolver.suggest("Aosta Vally", scope=resolver.get("IT_23")) == ["Valle d'Aosta (IT_23)"]
    assert resolver.suggest("Friuli V. G.", scope=resolver.get("IT")) == ["Friuli Venezia Giulia (IT_36)"]
    assert resolver.suggest("Bolzano-Bozen", scope=resolver.get("IT_32")) == ["Bolzano (IT_BZ)"]


@pytest.mark.parametrize("text", ["", "   ", "total", "UNKNOWN", "In fase di definizione/aggiornamento", "IT-2"])
def test_nothing_close_is_no_suggestion(resolver, text):
    assert resolver.suggest(text, scope=resolver.get("IT")) == []


def test_a_translated_subdivision_name_counts_inside_its_country_only(resolver):
    assert key_of(resolver, "Lombardei", "IT") == "IT_25"
    assert key_of(resolver, "Lombardei") is None
    # "Land", a translation of Landes: a column's name in a world file, not the department.
    assert key_of(resolver, "Land") is None


@pytest.mark.parametrize("text", ["source", "men", "total", "date", "cases"])
def test_words_of_a_files_headers_are_no_places_in_the_world(resolver, text):
    # "source" is "La Source" (Monaco) without its article: a loose name must keep two words.
    assert key_of(resolver, text) is None


def test_an_inverted_name_is_found_by_its_head_inside_a_scope(resolver):
    # JHU's "US / Virgin Islands" is ISO's "Virgin Islands, U.S."; in the world it could be either.
    assert key_of(resolver, "Virgin Islands", "US") == "US_VI"
    assert key_of(resolver, "U.S. Virgin Islands", "US") == "US_VI"
    with pytest.raises(AmbiguousLocation):
        resolver.resolve("Virgin Islands")
