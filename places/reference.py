"""Reference data: every ISO 3166 country and subdivision (pycountry), alternative names, metrics.

Names come from three places: ISO's own (pycountry), the names people write that are made from
them by rule (`places.names`: ISO's name without the kind of subdivision, pycountry's translations
in Latin letters), and two curated lists: `data/aliases.csv` (with why each is there) and
`data/region_aliases.csv` (publishers' names of ISO 3166-2 subdivisions, such as JHU's "Moscow
Oblast", each with its country, code and where the spelling comes from). A name
made by rule becomes an alias only when it names one place: never one that another place already
carries, nor one that two places of a country (or two countries) would share.

`load_reference_data()` is idempotent: loading twice changes nothing.
"""

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypedDict

import pycountry
import pycountry.db
from django.db import transaction
from django.utils.translation import gettext_noop

from .jhu_lookup import load_jhu_lookup_populations
from .models import Location, LocationAlias, Metric, normalise_name
from .names import iso_name_variants, translated_country_names, translated_names
from .populations import load_country_populations

CURATED_ALIASES = Path(__file__).parent / "data" / "aliases.csv"
REGION_ALIASES = Path(__file__).parent / "data" / "region_aliases.csv"
Alias = tuple[str, str, int]  # scheme, text, location id

METRICS = [
    # code, name, kind, description (in English as stored; shown in the reader's language: Metric.label)
    (
        "confirmed",
        gettext_noop("Confirmed cases"),
        Metric.Kind.CUMULATIVE,
        gettext_noop("Cumulative number of laboratory-confirmed (and, where the source counts them, probable) cases."),
    ),
    (
        "deaths",
        gettext_noop("Deaths"),
        Metric.Kind.CUMULATIVE,
        gettext_noop("Cumulative number of deaths attributed to COVID-19 by the source."),
    ),
    (
        "recovered",
        gettext_noop("Recovered"),
        Metric.Kind.CUMULATIVE,
        gettext_noop("Cumulative number of people reported recovered. Many sources stopped reporting it in 2021."),
    ),
    (
        "tests",
        gettext_noop("Tests"),
        Metric.Kind.CUMULATIVE,
        gettext_noop("Cumulative number of tests performed (or people tested, where that is all the source gives)."),
    ),
    (
        "hospitalized",
        gettext_noop("Hospitalised"),
        Metric.Kind.CURRENT,
        gettext_noop("Number of COVID-19 patients in hospital on that date (a level, not a total)."),
    ),
    (
        "icu",
        gettext_noop("In intensive care"),
        Metric.Kind.CURRENT,
        gettext_noop("Number of COVID-19 patients in intensive care on that date (a level, not a total)."),
    ),
    (
        "vaccine_doses",
        gettext_noop("Vaccine doses administered"),
        Metric.Kind.CUMULATIVE,
        gettext_noop("Cumulative number of COVID-19 vaccine doses administered."),
    ),
]

# Places that are not in ISO 3166 but appear in official and aggregated data.
EXTRA_COUNTRIES = [("XK", "XKX", "Kosovo")]
SPECIAL_LOCATIONS = [
    ("SHIP_DIAMOND_PRINCESS", "Diamond Princess", ["Diamond Princess", "Cruise Ship", "Others"]),
    ("SHIP_GRAND_PRINCESS", "Grand Princess", ["Grand Princess"]),
    ("SHIP_MS_ZAANDAM", "MS Zaandam", ["MS Zaandam"]),
    ("EVENT_SUMMER_OLYMPICS_2020", "Summer Olympics 2020", ["Summer Olympics 2020"]),
    ("EVENT_WINTER_OLYMPICS_2022", "Winter Olympics 2022", ["Winter Olympics 2022"]),
]


@dataclass
class LoadResult:
    locations_created: int
    locations_total: int
    aliases_created: int
    metrics_created: int
    populations_changed: int = 0
    populations_unplaced: list[str] = field(default_factory=list)  # JHU lookup rows placed on no one place

    @property
    def changed(self) -> bool:
        return bool(self.locations_created or self.aliases_created or self.metrics_created or self.populations_changed)


Field = Literal["name", "level", "country_code", "iso_3166_1_alpha3", "iso_3166_2", "subdivision_type"]


class LocationRow(TypedDict):
    """One place as the reference data describe it, before it is a `Location`."""

    key: str
    name: str
    level: str
    country_code: str
    iso_3166_1_alpha3: str
    iso_3166_2: str
    subdivision_type: str
    parent_key: str | None
    depth: int  # 0 for countries and special places, then 1, 2... down the subdivisions
    names: set[str | None]  # names to add as aliases (pycountry leaves some out: None)
    # Names made by rule, added where they name this place only: ISO's name without the kind of
    # subdivision (first), then pycountry's translations (a translation never takes a name from those).
    variants: list[str]
    translations: list[str]


def _country_rows() -> Iterator[LocationRow]:
    for country in pycountry.countries:
        yield {
            "key": country.alpha_2,
            "name": getattr(country, "common_name", None) or country.name,
            "level": Location.Level.COUNTRY,
            "country_code": country.alpha_2,
            "iso_3166_1_alpha3": country.alpha_3,
            "iso_3166_2": "",
            "subdivision_type": "",
            "parent_key": None,
            "depth": 0,
            "names": {country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)},
            "variants": [],
            "translations": translated_country_names(country.name),
        }
    for alpha2, alpha3, name in EXTRA_COUNTRIES:
        yield {
            "key": alpha2,
            "name": name,
            "level": Location.Level.COUNTRY,
            "country_code": alpha2,
            "iso_3166_1_alpha3": alpha3,
            "iso_3166_2": "",
            "subdivision_type": "",
            "parent_key": None,
            "depth": 0,
            "names": {name},
            "variants": [],
            "translations": [],
        }


def subdivision_key(code: str) -> str:
    """ISO 3166-2 code to our key: IT-25 -> IT_25."""
    return code.replace("-", "_")


def _subdivision_rows() -> Iterator[LocationRow]:
    by_code = {sub.code: sub for sub in pycountry.subdivisions}

    def depth(sub: pycountry.db.Data) -> int:
        level = 0
        while sub.parent_code:
            sub = by_code[sub.parent_code]
            level += 1
        return level

    for sub in sorted(by_code.values(), key=lambda s: (depth(s), s.code)):
        sub_depth = depth(sub) + 1
        parent_key = subdivision_key(sub.parent_code) if sub.parent_code else sub.country_code
        yield {
            "key": subdivision_key(sub.code),
            "name": sub.name,
            "level": Location.Level.SUBREGION if sub.parent_code else Location.Level.REGION,
            "country_code": sub.country_code,
            "iso_3166_1_alpha3": "",
            "iso_3166_2": sub.code,
            "subdivision_type": sub.type or "",
            "parent_key": parent_key,
            "depth": sub_depth,
            "names": {sub.name},
            "variants": sorted(iso_name_variants(sub.name)),
            "translations": translated_names(sub.name),
        }


def _special_rows() -> Iterator[LocationRow]:
    for key, name, names in SPECIAL_LOCATIONS:
        yield {
            "key": key,
            "name": name,
            "level": Location.Level.SPECIAL,
            "country_code": "",
            "iso_3166_1_alpha3": "",
            "iso_3166_2": "",
            "subdivision_type": "",
            "parent_key": None,
            "depth": 0,
            "names": set(names),
            "variants": [],
            "translations": [],
        }


def _official_aliases(rows: list[LocationRow], ids: dict[str, int]) -> set[Alias]:
    """ISO's names and codes of every place."""
    aliases: set[Alias] = set()
    for row in rows:
        location_id = ids[row["key"]]
        for name in row["names"]:
            if name:
                aliases.add((LocationAlias.Scheme.NAME, name, location_id))
        if row["iso_3166_1_alpha3"]:
            aliases.add((LocationAlias.Scheme.ISO, row["iso_3166_1_alpha3"], location_id))
        if row["iso_3166_2"]:
            aliases.add((LocationAlias.Scheme.ISO, row["iso_3166_2"], location_id))
    return aliases


def _curated_aliases(ids: dict[str, int]) -> set[Alias]:
    """The names and codes of `data/aliases.csv`: publishers' names no rule makes (each row says why)."""
    with CURATED_ALIASES.open(encoding="utf-8", newline="") as lines:
        return {(row["scheme"], row["text"], ids[row["location_key"]]) for row in csv.DictReader(lines)}


def read_region_aliases() -> list[dict[str, str]]:
    """The rows of `data/region_aliases.csv`: country, alias, iso_3166_2, source, note."""
    with REGION_ALIASES.open(encoding="utf-8", newline="") as lines:
        return list(csv.DictReader(lines))


def _region_aliases(ids: dict[str, int]) -> set[Alias]:
    """The publishers' names of subdivisions in `data/region_aliases.csv`, on the place with that ISO 3166-2 code."""
    aliases: set[Alias] = set()
    for row in read_region_aliases():
        if not row["iso_3166_2"].startswith(row["country"] + "-"):
            raise ValueError(
                f"region_aliases.csv: {row['alias']!r} is given {row['iso_3166_2']}, not a code of {row['country']}"
            )
        aliases.add((LocationAlias.Scheme.NAME, row["alias"], ids[subdivision_key(row["iso_3166_2"])]))
    return aliases


def _names_taken(aliases: Iterable[Alias], locations: Iterable[Location]) -> dict[str, set[int]]:
    """Every normalised name or code already given to a place, with the places that carry it."""
    taken: dict[str, set[int]] = defaultdict(set)
    for _, text, location_id in aliases:
        taken[normalise_name(text)].add(location_id)
    for loc in locations:
        taken[normalise_name(loc.name)].add(loc.pk)
    return taken


def _derived_aliases(rows: list[LocationRow], ids: dict[str, int], *, taken: dict[str, set[int]]) -> set[Alias]:
    """The names made by rule that name one place only.

    A made name is left out when another place already carries it (anywhere in the world: a name
    that resolved to one place keeps resolving to it), or when two places would get it and one
    could stand for the other in a file: two places of one country, or a top-level place (a country,
    a ship) and any other. ISO's names come first: a translation never takes a name one of them
    made ("Xinjiang", from "Xinjiang Uygur Zizhiqu", is not also Xizang's in a translation that
    confused the two). "Seoul" is Seoul-teukbyeolsi's; "Réunion", a translation of FR-974 "La
    Réunion", stays the name of the country RE."""
    country = {ids[row["key"]]: row["country_code"] for row in rows}
    top_level = {ids[row["key"]] for row in rows if row["parent_key"] is None}
    aliases: set[Alias] = set()
    kinds = [
        (LocationAlias.Scheme.NAME, [(row["key"], row["variants"]) for row in rows]),
        (LocationAlias.Scheme.TRANSLATION, [(row["key"], row["translations"]) for row in rows]),
    ]
    for scheme, names_of in kinds:
        made: dict[str, dict[int, str]] = defaultdict(dict)  # normalised name -> {place: first spelling}
        for key, texts in names_of:
            for text in texts:
                if normalised := normalise_name(text):
                    made[normalised].setdefault(ids[key], text)
        for normalised, spellings in made.items():
            holders = taken.get(normalised, set())
            for location_id, text in spellings.items():
                if holders:
                    continue  # this place has it already, or another place does
                rivals = [
                    other
                    for other in spellings
                    if other != location_id
                    and (country[other] == country[location_id] or other in top_level or location_id in top_level)
                ]
                if not rivals:
                    aliases.add((scheme, text, location_id))
        for normalised, spellings in made.items():
            taken.setdefault(normalised, set()).update(spellings)  # ISO's made names block translations
    return aliases


FIELDS: list[Field] = ["name", "level", "country_code", "iso_3166_1_alpha3", "iso_3166_2", "subdivision_type"]


@transaction.atomic
def load_reference_data() -> LoadResult:
    rows = [*_country_rows(), *_subdivision_rows(), *_special_rows()]
    existing = {loc.key: loc for loc in Location.objects.all()}
    before = len(existing)
    # One pass per depth (countries, regions, their subdivisions...) so that parent ids are known.
    for depth in sorted({row["depth"] for row in rows}):
        level_rows = [row for row in rows if row["depth"] == depth]
        to_create, to_update = [], []
        for row in level_rows:
            values: dict[str, str | int | None] = {field: row[field] for field in FIELDS}
            values["parent_id"] = existing[row["parent_key"]].pk if row["parent_key"] else None
            loc = existing.get(row["key"])
            if loc is None:
                to_create.append(Location(key=row["key"], **values))
            elif any(getattr(loc, f) != v for f, v in values.items()):
                for field, value in values.items():
                    setattr(loc, field, value)
                to_update.append(loc)
        Location.objects.bulk_create(to_create, batch_size=500)
        Location.objects.bulk_update(to_update, [*FIELDS, "parent_id"], batch_size=500)
        if to_create:
            new_locations = Location.objects.filter(key__in=[loc.key for loc in to_create])
            existing.update({loc.key: loc for loc in new_locations})

    ids = {key: loc.pk for key, loc in existing.items()}
    aliases = _official_aliases(rows, ids) | _curated_aliases(ids) | _region_aliases(ids)
    known = set(LocationAlias.objects.values_list("scheme", "text", "location_id"))
    aliases |= _derived_aliases(rows, ids, taken=_names_taken([*aliases, *known], existing.values()))
    new_aliases = [
        LocationAlias(scheme=s, text=t, location_id=lid, normalised=normalise_name(t))
        for s, t, lid in sorted(aliases - known)
    ]
    LocationAlias.objects.bulk_create(new_aliases, batch_size=1000)

    metrics_created = 0
    for order, (code, name, kind, description) in enumerate(METRICS):
        _, created = Metric.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "description": description, "display_order": order}
        )
        metrics_created += int(created)

    populations_changed = load_country_populations()
    lookup = load_jhu_lookup_populations()
    total = Location.objects.count()
    return LoadResult(
        locations_created=total - before,
        locations_total=total,
        aliases_created=len(new_aliases),
        metrics_created=metrics_created,
        populations_changed=populations_changed + lookup.changed,
        populations_unplaced=[*lookup.unmatched, *lookup.ambiguous],
    )
