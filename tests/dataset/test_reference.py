"""Reference data: every ISO country and subdivision, aliases that resolve, metrics; loading twice changes nothing."""

import pycountry
import pytest

from places.models import Location, LocationAlias, Metric, normalise_name
from places.reference import load_reference_data


def resolve(text):
    return {alias.location.key for alias in LocationAlias.objects.filter(normalised=normalise_name(text))}


@pytest.mark.django_db
def test_every_iso_country_and_subdivision_is_present(reference_data):
    countries = set(Location.objects.filter(level=Location.Level.COUNTRY).values_list("key", flat=True))
    assert {c.alpha_2 for c in pycountry.countries} <= countries
    subdivisions = set(Location.objects.exclude(iso_3166_2="").values_list("iso_3166_2", flat=True))
    assert {s.code for s in pycountry.subdivisions} == subdivisions
    lombardy = Location.objects.get(key="IT_25")
    assert lombardy.name == "Lombardia"
    assert lombardy.parent.key == "IT"
    assert lombardy.level == "region"
    bergamo = Location.objects.get(key="IT_BG")
    assert bergamo.parent == lombardy
    assert bergamo.level == "subregion"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Korea, South", "KR"),
        ("US", "US"),
        ("Mainland China", "CN"),
        ("Czech Republic", "CZ"),
        ("Burma", "MM"),
        ("Taiwan*", "TW"),
        ("Holy See", "VA"),
        ("Cote d'Ivoire", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Congo (Kinshasa)", "CD"),
        ("Congo (Brazzaville)", "CG"),
        ("Diamond Princess", "SHIP_DIAMOND_PRINCESS"),
        ("Kosovo", "XK"),
        ("italy", "IT"),
        ("DEU", "DE"),
    ],
)
def test_common_alternative_names_resolve(reference_data, text, key):
    assert resolve(text) == {key}


@pytest.mark.django_db
def test_metrics_catalogue(reference_data):
    metrics = {m.code: m for m in Metric.objects.all()}
    assert set(metrics) >= {"confirmed", "deaths", "recovered", "tests", "hospitalized", "icu", "vaccine_doses"}
    assert metrics["confirmed"].kind == Metric.Kind.CUMULATIVE
    assert metrics["icu"].kind == Metric.Kind.CURRENT
    assert all(m.description for m in metrics.values())


@pytest.mark.django_db
def test_loading_twice_changes_nothing(reference_data):
    counts = (Location.objects.count(), LocationAlias.objects.count(), Metric.objects.count())
    result = load_reference_data()
    assert not result.changed
    assert (Location.objects.count(), LocationAlias.objects.count(), Metric.objects.count()) == counts
