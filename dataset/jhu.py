"""JHU CSSE time-series files, once read (dataset.jhu_files): place every row on a Location.

`JhuPlacer` maps rows to locations (creating JHU's provinces, counties and special places that
ISO 3166 does not have; uploads are resolved by `places.resolver.LocationResolver`, which never
creates a place) and `save_jhu_rows` keeps JHU's own names, coordinates and row order so the JHU
export can write them back.
"""

from dataclasses import dataclass

import pandas as pd

from places.jhu_lookup import PROVINCE_KEYS
from places.models import Location, LocationAlias, normalise_name
from places.reference import SPECIAL_LOCATIONS

from .jhu_files import JhuFile, JhuFileError
from .models import JhuRow

SPECIAL_NAMES = {normalise_name(name) for _, _, names in SPECIAL_LOCATIONS for name in names}

JHU_SOURCE = {
    "name": "JHU CSSE COVID-19 Data",
    "institution": "Center for Systems Science and Engineering (CSSE), Johns Hopkins University",
    "institution_type": "aggregator",
    "url": "https://github.com/CSSEGISandData/COVID-19",
    "data_format": "CSV",
    "cadence": "final",
    "licence": "CC BY 4.0",
    "attribution": "COVID-19 Data Repository by the Center for Systems Science and Engineering (CSSE) "
    "at Johns Hopkins University",
    "status": "approved",
}


def _slug(text: str) -> str:
    return normalise_name(text).upper().replace(" ", "_")


@dataclass
class PlannedLocation:
    key: str
    name: str
    level: str
    parent_key: str
    country_code: str
    lat: str
    long: str


class JhuPlacer:
    """Places JHU rows on locations; what it would create is planned first and written by `create()`."""

    def __init__(self):
        self.by_key = {loc.key: loc for loc in Location.objects.all()}
        self.by_id = {loc.pk: loc for loc in self.by_key.values()}
        self.known_rows = {
            (layout, p, c, a): location_id
            for layout, p, c, a, location_id in JhuRow.objects.values_list(
                "layout", "province_state", "country_region", "admin2", "location_id"
            ).distinct()
        }
        top = (Location.Level.COUNTRY, Location.Level.SPECIAL)
        self.top_names: dict[str, set[str]] = {}
        self.sub_names: dict[str, dict[str, set[str]]] = {}
        aliases = LocationAlias.objects.values_list("normalised", "location_id")
        names = [(normalise_name(loc.name), loc.pk) for loc in self.by_key.values()]
        for normalised, location_id in [*aliases, *names]:
            loc = self.by_id[location_id]
            if loc.level in top and loc.parent_id is None:
                self.top_names.setdefault(normalised, set()).add(loc.key)
            elif loc.country_code:
                self.sub_names.setdefault(loc.country_code, {}).setdefault(normalised, set()).add(loc.key)
        self.planned: dict[str, PlannedLocation] = {}

    def place(self, jhu_file: JhuFile) -> list[str]:
        """The location key of every row of the file, in order; raises JhuFileError for a row it cannot place."""
        keys = []
        for row in jhu_file.rows.to_dict("records"):
            try:
                keys.append(self._place_row(jhu_file.layout, row))
            except LookupError as exc:
                raise JhuFileError(f"{jhu_file.path.name}, line {row['line']}: {exc}")
        seen: dict[str, int] = {}
        for key, line in zip(keys, jhu_file.rows["line"], strict=True):
            if key in seen:
                raise JhuFileError(
                    f"{jhu_file.path.name}, lines {seen[key]} and {line}: both rows are the same place ({key})"
                )
            seen[key] = line
        return keys

    def _place_row(self, layout, row) -> str:
        known = self.known_rows.get((layout, row["province_state"], row["country_region"], row["admin2"]))
        if known is not None and known in self.by_id:
            return self.by_id[known].key
        country = self._country(row["country_region"])
        if not row["province_state"]:
            if row["admin2"]:
                raise LookupError(f"Admin2 {row['admin2']!r} without a Province_State")
            return country.key
        province = self._province(country, row["province_state"], row)
        if not row["admin2"]:
            return province
        fips = row["extra"].get("FIPS", "").strip()
        try:
            suffix = f"{int(float(fips)):05d}" if fips else _slug(row["admin2"])
        except ValueError:
            raise LookupError(f"FIPS {fips!r} is not a number")
        key = f"{province}_{suffix}"
        self._plan(key, row["admin2"], Location.Level.SUBREGION, province, country.country_code, row)
        return key

    def _country(self, name: str) -> Location:
        keys = self.top_names.get(normalise_name(name), set())
        if len(keys) != 1:
            problem = f"is ambiguous ({', '.join(sorted(keys))})" if keys else "is not a known country or special place"
            raise LookupError(f"Country/Region {name!r} {problem}: add it as a location alias in the admin")
        return self.by_key[next(iter(keys))]

    def _province(self, country: Location, name: str, row) -> str:
        normalised = normalise_name(name)
        fixed = PROVINCE_KEYS.get((normalise_name(country.name), normalised)) or PROVINCE_KEYS.get(
            (normalise_name(row["country_region"]), normalised)
        )
        if fixed and fixed in self.by_key:
            return fixed
        names = self.sub_names.get(country.country_code, {})
        matches = names.get(normalised, set())
        regions = {k for k in matches if self.by_key[k].level == Location.Level.REGION}
        if len(regions) == 1 or len(matches) == 1:
            return next(iter(regions or matches))
        if not matches and normalised not in SPECIAL_NAMES:
            starts = {
                k
                for n, ks in names.items()
                if n.startswith(normalised + " ")
                for k in ks
                if self.by_key[k].level == Location.Level.REGION
            }
            if len(starts) == 1:
                return next(iter(starts))
        key = f"{country.key}_{_slug(name)}"
        level = Location.Level.SPECIAL if normalised in SPECIAL_NAMES else Location.Level.REGION
        self._plan(key, name, level, country.key, country.country_code, row)
        return key

    def _plan(self, key, name, level, parent_key, country_code, row):
        existing = self.by_key.get(key)
        if existing is not None:
            parent = self.by_id.get(existing.parent_id) if existing.parent_id is not None else None
            if parent is None or parent.key != parent_key:
                raise LookupError(f"location key {key} already exists elsewhere ({existing.name})")
            return
        if key not in self.planned:
            self.planned[key] = PlannedLocation(
                key=key,
                name=name,
                level=level,
                parent_key=parent_key,
                country_code=country_code,
                lat=row["lat"],
                long=row["long"],
            )

    def create(self) -> dict[str, int]:
        """Create the planned locations (parents first) and return every key's id."""
        for planned in sorted(self.planned.values(), key=lambda p: p.key.count("_")):
            loc = Location.objects.create(
                key=planned.key,
                name=planned.name,
                level=planned.level,
                parent=self.by_key[planned.parent_key],
                country_code=planned.country_code,
                latitude=_float(planned.lat),
                longitude=_float(planned.long),
            )
            self.by_key[loc.key] = loc
            self.by_id[loc.pk] = loc
        self.planned.clear()
        return {key: loc.pk for key, loc in self.by_key.items()}


def _float(text):
    try:
        return float(text) if text else None
    except ValueError:
        return None


def save_jhu_rows(jhu_file: JhuFile) -> None:
    """Keep JHU's names, coordinates and order for this file's layout and metric; add `jhu` aliases."""
    rows = jhu_file.rows
    location_ids = jhu_file.placed_ids()
    wanted = [
        JhuRow(
            layout=jhu_file.layout,
            metric=jhu_file.metric,
            location_id=int(location_id),
            position=position,
            province_state=r["province_state"],
            country_region=r["country_region"],
            admin2=r["admin2"],
            lat=r["lat"],
            long=r["long"],
            extra=r["extra"],
        )
        for position, (location_id, r) in enumerate(zip(location_ids, rows.to_dict("records"), strict=True))
    ]
    fields = ["location_id", "position", "province_state", "country_region", "admin2", "lat", "long", "extra"]
    current = JhuRow.objects.filter(layout=jhu_file.layout, metric=jhu_file.metric)
    if sorted(tuple(str(v) for v in row) for row in current.values_list(*fields)) != sorted(
        tuple(str(getattr(row, f)) for f in fields) for row in wanted
    ):
        current.delete()
        JhuRow.objects.bulk_create(wanted, batch_size=1000)

    combined = rows["province_state"] + ", " + rows["country_region"]
    texts = rows["country_region"].where(rows["province_state"].eq(""), combined)
    if jhu_file.layout == JhuRow.Layout.US:
        texts = pd.Series([e.get("Combined_Key") or t for e, t in zip(rows["extra"], texts, strict=True)])
    pairs = set(zip(texts.tolist(), location_ids.tolist(), strict=True))
    jhu = LocationAlias.Scheme.JHU
    known = set(
        LocationAlias.objects.filter(scheme=jhu, location_id__in=set(location_ids.tolist())).values_list(
            "text", "location_id"
        )
    )
    LocationAlias.objects.bulk_create(
        [
            LocationAlias(scheme=jhu, text=text, location_id=int(lid), normalised=normalise_name(text))
            for text, lid in sorted(pairs - known)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
