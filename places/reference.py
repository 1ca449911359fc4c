"""Reference data: every ISO 3166 country and subdivision (pycountry), alternative names, metrics.

`load_reference_data()` is idempotent: loading twice changes nothing.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypedDict

import pycountry
import pycountry.db
from django.db import transaction

from .models import Location, LocationAlias, Metric, normalise_name

METRICS = [
    # code, name, kind, description
    (
        "confirmed",
        "Confirmed cases",
        Metric.Kind.CUMULATIVE,
        "Cumulative number of laboratory-confirmed (and, where the source counts them, probable) cases.",
    ),
    ("deaths", "Deaths", Metric.Kind.CUMULATIVE, "Cumulative number of deaths attributed to COVID-19 by the source."),
    (
        "recovered",
        "Recovered",
        Metric.Kind.CUMULATIVE,
        "Cumulative number of people reported recovered. Many sources stopped reporting it in 2021.",
    ),
    (
        "tests",
        "Tests",
        Metric.Kind.CUMULATIVE,
        "Cumulative number of tests performed (or people tested, where that is all the source gives).",
    ),
    (
        "hospitalized",
        "Hospitalised",
        Metric.Kind.CURRENT,
        "Number of COVID-19 patients in hospital on that date (a level, not a total).",
    ),
    (
        "icu",
        "In intensive care",
        Metric.Kind.CURRENT,
        "Number of COVID-19 patients in intensive care on that date (a level, not a total).",
    ),
    (
        "vaccine_doses",
        "Vaccine doses administered",
        Metric.Kind.CUMULATIVE,
        "Cumulative number of COVID-19 vaccine doses administered.",
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

# Names used by JHU CSSE, WHO and other publishers that differ from ISO's.
COUNTRY_ALIASES = {
    "US": ["US", "USA", "United States", "United States of America"],
    "KR": ["Korea, South", "South Korea", "Republic of Korea", "Korea"],
    "KP": ["Korea, North", "North Korea"],
    "CN": ["Mainland China", "China"],
    "CZ": ["Czech Republic", "Czechia"],
    "MM": ["Burma", "Myanmar"],
    "TW": ["Taiwan*", "Taiwan", "Taipei and environs"],
    "VA": ["Holy See", "Vatican City", "Vatican"],
    "CI": ["Cote d'Ivoire", "Ivory Coast"],
    "CD": ["Congo (Kinshasa)", "Democratic Republic of the Congo", "DR Congo", "DRC"],
    "CG": ["Congo (Brazzaville)", "Republic of the Congo", "Congo"],
    "RU": ["Russia", "Russian Federation"],
    "IR": ["Iran", "Iran (Islamic Republic of)"],
    "SY": ["Syria"],
    "LA": ["Laos", "Lao People's Democratic Republic"],
    "VN": ["Vietnam", "Viet Nam"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "MD": ["Moldova", "Republic of Moldova"],
    "BN": ["Brunei"],
    "PS": ["West Bank and Gaza", "Palestine", "occupied Palestinian territory"],
    "FM": ["Micronesia"],
    "GB": ["United Kingdom", "UK", "Great Britain"],
    "HK": ["Hong Kong", "Hong Kong SAR"],
    "MO": ["Macau", "Macao SAR"],
    "CV": ["Cabo Verde", "Cape Verde"],
    "SZ": ["Eswatini", "Swaziland"],
    "MK": ["North Macedonia", "Macedonia"],
    "TL": ["Timor-Leste", "East Timor"],
    "GM": ["Gambia, The", "The Gambia", "Gambia"],
    "BS": ["Bahamas, The", "The Bahamas", "Bahamas"],
    "TR": ["Turkey", "Turkiye"],
    "MF": ["St. Martin", "Saint Martin"],
    "BL": ["Saint Barthelemy"],
    "RE": ["Reunion"],
    "CW": ["Curacao"],
    "VI": ["Virgin Islands, U.S."],
    "XK": ["Kosovo"],
    "IT": ["Italy", "Italia"],
    "DE": ["Germany", "Deutschland"],
    "ES": ["Spain", "España"],
    "FR": ["France"],
}


@dataclass
class LoadResult:
    locations_created: int
    locations_total: int
    aliases_created: int
    metrics_created: int

    @property
    def changed(self) -> bool:
        return bool(self.locations_created or self.aliases_created or self.metrics_created)


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
        }


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

    aliases: set[tuple[str, str, int]] = set()
    for row in rows:
        location_id = existing[row["key"]].pk
        for name in row["names"]:
            if name:
                aliases.add((LocationAlias.Scheme.NAME, name, location_id))
        if row["iso_3166_1_alpha3"]:
            aliases.add((LocationAlias.Scheme.ISO, row["iso_3166_1_alpha3"], location_id))
        if row["iso_3166_2"]:
            aliases.add((LocationAlias.Scheme.ISO, row["iso_3166_2"], location_id))
    for key, names in COUNTRY_ALIASES.items():
        for name in names:
            aliases.add((LocationAlias.Scheme.NAME, name, existing[key].pk))
    known = set(LocationAlias.objects.values_list("scheme", "text", "location_id"))
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

    total = Location.objects.count()
    return LoadResult(
        locations_created=total - before,
        locations_total=total,
        aliases_created=len(new_aliases),
        metrics_created=metrics_created,
    )
