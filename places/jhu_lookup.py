"""Populations of first-level places from JHU CSSE's UID lookup table (`data/jhu_uid_lookup_first_level.csv`).

The file keeps the table's rows without an Admin2 (countries, provinces and states; see
`data/SOURCES.md`). A row is placed as `import_jhu` places it (`dataset.jhu.JhuPlacer`, read-only here:
nothing is created): Country_Region names one top-level place (a name or an alias); Province_State is
one of `PROVINCE_KEYS`, else the one region, or the one place, of that country with that name (or the
one region whose name starts with it followed by a space). A territory JHU lists as a province (Faroe
Islands, Denmark) that is its own country here is found by its iso2 instead. Rows that match nothing,
or more than one place, are skipped and counted: never guessed.

The table is a fallback: it fills places without a population and refreshes its own figures, but
never replaces one from another source (GeoNames for countries, JHU's US files for US counties, the
admin). JHU gives no single year for the table (its README lists the sources, years differ by
country), so none is stored. Figures the table gets wrong (`data/jhu_lookup_figures_not_used.csv`,
with the reason for each) are not used: no figure is better than a per-100,000 rate off by half.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .models import Location, LocationAlias, normalise_name

LOOKUP_FILE = Path(__file__).parent / "data" / "jhu_uid_lookup_first_level.csv"
LOOKUP_SOURCE = "JHU CSSE UID lookup table: UN World Population Prospects 2019 and national statistics offices"
OWN_PREFIX = "JHU CSSE UID lookup table:"  # (JHU's US files: "JHU CSSE UID lookup table (US Census ...)")
NOT_USED_FILE = Path(__file__).parent / "data" / "jhu_lookup_figures_not_used.csv"
LOOKUP_COMMIT = "011e21a9ff5ed2c6dc7bcbb5c315a8eb4475f858"

# JHU's province names that name an ISO subdivision under another name (used by dataset.jhu too).
PROVINCE_KEYS = {
    ("china", "macau"): "CN_MO",
    ("china", "inner mongolia"): "CN_NM",
    ("china", "tibet"): "CN_XZ",
}


@dataclass
class LookupResult:
    changed: int = 0
    placed: int = 0  # rows with a figure placed on one place
    unmatched: list[str] = field(default_factory=list)  # "Province_State, Country_Region" of rows not placed
    not_used: list[str] = field(default_factory=list)  # rows whose figure is wrong (NOT_USED_FILE)
    not_used_ids: set[int] = field(default_factory=set)  # the places of those rows
    ambiguous: list[str] = field(default_factory=list)


class _Names:
    """Every place's normalised names (its own and its aliases), as `JhuPlacer` reads them."""

    def __init__(self) -> None:
        self.by_id = {loc.pk: loc for loc in Location.objects.all()}
        self.by_key = {loc.key: loc for loc in self.by_id.values()}
        self.top: dict[str, set[int]] = defaultdict(set)
        self.sub: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        top_levels = (Location.Level.COUNTRY, Location.Level.SPECIAL)
        aliases = LocationAlias.objects.values_list("normalised", "location_id")
        names = [(normalise_name(loc.name), loc.pk) for loc in self.by_id.values()]
        for normalised, location_id in [*aliases, *names]:
            loc = self.by_id[location_id]
            if loc.level in top_levels and loc.parent_id is None:
                self.top[normalised].add(loc.pk)
            elif loc.country_code:
                self.sub[loc.country_code][normalised].add(loc.pk)

    def country(self, name: str) -> set[int]:
        return self.top.get(normalise_name(name), set())

    def province(self, country: Location, name: str, country_name: str) -> set[int]:
        normalised = normalise_name(name)
        fixed = PROVINCE_KEYS.get((normalise_name(country.name), normalised)) or PROVINCE_KEYS.get(
            (normalise_name(country_name), normalised)
        )
        if fixed and fixed in self.by_key:
            return {self.by_key[fixed].pk}
        names = self.sub.get(country.country_code, {})
        matches = names.get(normalised, set())
        regions = {pk for pk in matches if self.by_id[pk].level == Location.Level.REGION}
        if len(regions) == 1:
            return regions
        if matches:
            return set(matches)
        return {
            pk
            for other, pks in names.items()
            if other.startswith(normalised + " ")
            for pk in pks
            if self.by_id[pk].level == Location.Level.REGION
        }

    def own_country(self, iso2: str) -> Location | None:
        loc = self.by_key.get(iso2)
        return loc if loc is not None and loc.level == Location.Level.COUNTRY else None


def read_lookup(path: Path = LOOKUP_FILE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _place(names: _Names, row: dict[str, str], iso2_of: dict[str, str]) -> set[int]:
    countries = names.country(row["Country_Region"])
    if not row["Province_State"]:
        return countries
    if len(countries) != 1:
        return countries if len(countries) > 1 else set()
    country = names.by_id[next(iter(countries))]
    found = names.province(country, row["Province_State"], row["Country_Region"])
    if not found and row["iso2"] and row["iso2"] != iso2_of.get(row["Country_Region"]):
        own = names.own_country(row["iso2"])
        return {own.pk} if own is not None else set()
    return found


def figures_not_used(path: Path = NOT_USED_FILE) -> dict[str, str]:
    """The table's UIDs whose population is known to be wrong, with the figure they give."""
    return {row["UID"]: row["Population"] for row in read_lookup(path)}


def jhu_lookup_figures(rows: list[dict[str, str]]) -> tuple[dict[int, int], LookupResult]:
    """Each placed row's population by location id, and what could not be placed."""
    names = _Names()
    not_used = figures_not_used()
    iso2_of = {row["Country_Region"]: row["iso2"] for row in rows if not row["Province_State"]}
    result = LookupResult()
    figures: dict[int, int] = {}
    for row in rows:
        if not row["Population"]:
            continue  # Unknown, Recovered, cruise ships: no figure
        label = ", ".join(part for part in (row["Province_State"], row["Country_Region"]) if part)
        found = _place(names, row, iso2_of)
        if not_used.get(row["UID"]) == row["Population"]:  # a corrected table's new figure would be used
            result.not_used.append(label)
            result.not_used_ids |= found if len(found) == 1 else set()
        elif not found:
            result.unmatched.append(label)
        elif len(found) > 1:
            result.ambiguous.append(label)
        else:
            figures[next(iter(found))] = int(row["Population"])
            result.placed += 1
    return figures, result


def load_jhu_lookup_populations(path: Path = LOOKUP_FILE) -> LookupResult:
    """Give places without a population JHU's figure; returns what changed and what was not placed."""
    figures, result = jhu_lookup_figures(read_lookup(path))
    changed = []
    for place in Location.objects.filter(pk__in=list(figures)):
        if place.population is not None and not (place.population_source or "").startswith(OWN_PREFIX):
            continue  # another source's figure (GeoNames, JHU's US files, the admin) stays
        wanted = (figures[place.pk], LOOKUP_SOURCE, None)
        if (place.population, place.population_source, place.population_year) != wanted:
            place.population, place.population_source, place.population_year = wanted
            changed.append(place)
    # A figure this table gave before it was known to be wrong goes.
    for place in Location.objects.filter(pk__in=result.not_used_ids, population_source=LOOKUP_SOURCE):
        place.population, place.population_source, place.population_year = None, "", None
        changed.append(place)
    Location.objects.bulk_update(changed, ["population", "population_source", "population_year"], batch_size=500)
    result.changed = len(changed)
    return result
