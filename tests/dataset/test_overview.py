"""The home page's data: each country's total, per 100,000 people and last 7 days, the world's sums,
and the places changed in the latest release."""

import json

import pytest
from django.urls import reverse

from dataset.overview import world_overview
from places.models import Location
from tests.dataset.page_data import add_series, italy_and_france, make_release

pytestmark = pytest.mark.django_db


def test_each_country_has_its_total_per_100k_and_last_7_days(reference_data):
    italy_and_france()
    world = world_overview()
    italy = next(c for c in world.countries if c["key"] == "IT")
    population = Location.objects.get(key="IT").population
    assert italy["numeric"] == "380"  # the world map's id for Italy
    confirmed = italy["values"]["confirmed"]
    assert confirmed["total"] == 3089
    assert confirmed["per100k"] == round(3089 * 100_000 / population, 2)
    assert confirmed["week"] == 3089 - 400  # the value 7 days before the latest (day 3 of 10) was 400
    totals = {m["code"]: m["total"] for m in world.metrics}
    assert totals["confirmed"] == sum(c["values"]["confirmed"]["total"] for c in world.countries)


def test_the_home_page_shows_the_release_and_what_changed_in_it(client, reference_data):
    source, _first = italy_and_france()
    second = make_release(2, description="Italy corrected")
    add_series("DE", "confirmed", [5, 6], source=source, release=second)
    html = client.get(reverse("home")).content.decode()
    assert "Release 2, published" in html
    changed = html.split('data-testid="changed-places"', 1)[1].split("</ul>", 1)[0]
    assert "Germany" in changed
    assert "Italy" not in changed
    data = json.loads(html.split('<script id="world-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert {c["key"] for c in data["countries"]} == {"IT", "FR", "DE"}
