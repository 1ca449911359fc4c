"""JHU CSSE time-series files: read the global and US layouts, place every row on a Location.

`read_jhu_file` checks a whole file before anything is written and raises `JhuFileError`
naming the file, the line and the problem. `JhuPlacer` maps rows to locations (creating
JHU's provinces, counties and special places that ISO 3166 does not have; uploads are resolved by
`places.resolver.LocationResolver`, which never creates a place) and `save_jhu_rows`
keeps JHU's own names, coordinates and row order so the JHU export can write them back.
"""
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from places.models import Location, LocationAlias, Metric, normalise_name
from places.reference import SPECIAL_LOCATIONS

from .models import JhuRow

GLOBAL_COLUMNS = ["Province/State", "Country/Region", "Lat", "Long"]
US_COLUMNS = ["UID", "iso2", "iso3", "code3", "FIPS", "Admin2", "Province_State", "Country_Region", "Lat", "Long_",
              "Combined_Key"]
DATE_FORMATS = ("%m/%d/%y", "%Y-%m-%d", "%m/%d/%Y")
# JHU province names that neither equal nor begin an ISO 3166-2 name of their country.
PROVINCE_KEYS = {
    ("china", "macau"): "CN_MO",
    ("china", "inner mongolia"): "CN_NM",
    ("china", "tibet"): "CN_XZ",
}
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


class JhuFileError(ValueError):
    """A file that cannot be imported; the message names the file, line and problem."""


@dataclass
class JhuFile:
    """One parsed file: its rows' identity columns and a (rows × dates) block of values (NaN = empty)."""

    path: Path
    layout: str
    metric: Metric
    dates: list[date]
    rows: pd.DataFrame  # province_state, country_region, admin2, lat, long, line, extra
    values: np.ndarray
    location_ids: np.ndarray | None = field(default=None)  # set once the rows are placed

    def placed_ids(self) -> np.ndarray:
        """The location id of each row, once the rows have been placed on locations."""
        if self.location_ids is None:
            raise JhuFileError(f"{self.path.name}: the rows have not been placed yet")
        return self.location_ids

    def long_frame(self) -> pd.DataFrame:
        """The values as location_id, metric_id, date, value; empty cells are left out."""
        n_rows, n_dates = self.values.shape
        frame = pd.DataFrame({
            "location_id": np.repeat(self.placed_ids(), n_dates),
            "metric_id": self.metric.pk,
            "date": np.tile(np.array(self.dates, dtype="datetime64[D]"), n_rows),
            "value": self.values.ravel(),
        })
        return frame[frame["value"].notna()]


def metric_from_name(path: Path) -> Metric:
    name = path.name.lower()
    found = [m for m in Metric.objects.all() if re.search(rf"(^|_){re.escape(m.code)}(_|\.|$)", name)]
    if len(found) != 1:
        raise JhuFileError(
            f"{path.name}: cannot tell the metric from the file name "
            "(expected time_series_covid19_<confirmed|deaths|recovered>_<global|US>.csv)"
        )
    return found[0]


def _parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def read_jhu_file(path: Path) -> JhuFile:
    """Read and check one JHU time-series file (any line ending, with or without a BOM)."""
    path = Path(path)
    metric = metric_from_name(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JhuFileError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    reader = csv.reader(io.StringIO(text, newline=None))
    header = next(reader, None)
    if not header:
        raise JhuFileError(f"{path.name}, line 1: the file is empty")
    header = [cell.strip() for cell in header]
    if header[:4] == GLOBAL_COLUMNS:
        layout, first_value = JhuRow.Layout.GLOBAL, 4
    elif header[:len(US_COLUMNS)] == US_COLUMNS:
        layout = JhuRow.Layout.US
        first_value = len(US_COLUMNS) + (1 if len(header) > len(US_COLUMNS) and header[11] == "Population" else 0)
    else:
        raise JhuFileError(
            f"{path.name}, line 1: not a JHU time-series header (expected {','.join(GLOBAL_COLUMNS)},dates... "
            f"or {','.join(US_COLUMNS)}[,Population],dates...)"
        )
    dates = []
    for number, cell in enumerate(header[first_value:], start=first_value + 1):
        parsed = _parse_date(cell)
        if parsed is None:
            raise JhuFileError(f"{path.name}, line 1, column {number}: {cell!r} is not a date (M/D/YY or YYYY-MM-DD)")
        dates.append(parsed)
    if not dates:
        raise JhuFileError(f"{path.name}, line 1: no date columns")
    if len(set(dates)) != len(dates):
        raise JhuFileError(f"{path.name}, line 1: a date appears twice in the header")

    cells, lines = [], []
    for row in reader:
        if not row or all(not c.strip() for c in row) and len(row) <= 1:
            continue
        if len(row) != len(header):
            raise JhuFileError(
                f"{path.name}, line {reader.line_num}: {len(row)} cells where the header has {len(header)}"
            )
        cells.append(row)
        lines.append(reader.line_num)
    if not cells:
        raise JhuFileError(f"{path.name}: no data rows")
    table = np.array(cells, dtype=object)
    ident = table[:, :first_value]
    if layout == JhuRow.Layout.GLOBAL:
        rows = pd.DataFrame({
            "province_state": ident[:, 0], "country_region": ident[:, 1], "admin2": "",
            "lat": ident[:, 2], "long": ident[:, 3],
        })
        rows["extra"] = [{} for _ in range(len(rows))]
    else:
        rows = pd.DataFrame({
            "province_state": ident[:, 6], "country_region": ident[:, 7], "admin2": ident[:, 5],
            "lat": ident[:, 8], "long": ident[:, 9],
        })
        extra_names = ["UID", "iso2", "iso3", "code3", "FIPS", "Combined_Key"] + header[11:first_value]
        extra_index = [header.index(name) for name in extra_names]
        rows["extra"] = [dict(zip(extra_names, r, strict=True)) for r in ident[:, extra_index].tolist()]
    for column in ("province_state", "country_region", "admin2", "lat", "long"):
        rows[column] = rows[column].astype(str).str.strip()
    rows["line"] = lines

    for label, column in (("Lat", "lat"), ("Long", "long")):
        numbers = pd.to_numeric(rows[column].replace("", np.nan), errors="coerce")
        bad = rows[column].ne("") & numbers.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise JhuFileError(f"{path.name}, line {lines[i]}: {label} {rows[column].iloc[i]!r} is not a number")
    unplaced = rows["country_region"].eq("")
    if unplaced.any():
        i = int(np.flatnonzero(unplaced.to_numpy())[0])
        raise JhuFileError(
            f"{path.name}, line {lines[i]}: no Country/Region, so the row cannot be placed "
            "(a totals row? remove it and import again)"
        )
    duplicated = rows.duplicated(["province_state", "country_region", "admin2"], keep=False)
    if duplicated.any():
        twice = np.flatnonzero(duplicated.to_numpy())[:2]
        raise JhuFileError(
            f"{path.name}, lines {lines[twice[0]]} and {lines[twice[1]]}: the same place appears twice "
            f"({_label(rows.iloc[twice[0]])})"
        )

    raw = table[:, first_value:].astype(str)
    try:  # fast path: every cell is a finite number
        values = raw.astype("float64")
        if not np.isfinite(values).all():
            raise ValueError
    except ValueError:
        values = _values_or_error(raw, path=path, lines=lines, header=header, first_value=first_value)
    return JhuFile(
        path=path, layout=layout, metric=metric, dates=dates, rows=rows,
        values=values,
    )


def _values_or_error(raw: np.ndarray, *, path, lines, header, first_value) -> np.ndarray:
    """The value block with empty cells as NaN; JhuFileError at the first cell that is not a number."""
    flat = pd.Series(raw.ravel()).str.strip()
    values = pd.to_numeric(flat.where(flat != "", None), errors="coerce")
    bad = flat.ne("") & ~np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        r, c = divmod(i, raw.shape[1])
        raise JhuFileError(
            f"{path.name}, line {lines[r]}, column {first_value + c + 1} ({header[first_value + c]}): "
            f"{flat.iloc[i]!r} is not a number"
        )
    return values.to_numpy(dtype="float64", na_value=np.nan).reshape(raw.shape)


def _label(row) -> str:
    parts = [row["admin2"], row["province_state"], row["country_region"]]
    return ", ".join(p for p in parts if p)


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
            problem = (
                f"is ambiguous ({', '.join(sorted(keys))})" if keys else "is not a known country or special place"
            )
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
                k for n, ks in names.items() if n.startswith(normalised + " ")
                for k in ks if self.by_key[k].level == Location.Level.REGION
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
                key=key, name=name, level=level, parent_key=parent_key, country_code=country_code,
                lat=row["lat"], long=row["long"],
            )

    def create(self) -> dict[str, int]:
        """Create the planned locations (parents first) and return every key's id."""
        for planned in sorted(self.planned.values(), key=lambda p: p.key.count("_")):
            loc = Location.objects.create(
                key=planned.key, name=planned.name, level=planned.level,
                parent=self.by_key[planned.parent_key], country_code=planned.country_code,
                latitude=_float(planned.lat), longitude=_float(planned.long),
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
            layout=jhu_file.layout, metric=jhu_file.metric, location_id=int(location_id), position=position,
            province_state=r["province_state"], country_region=r["country_region"], admin2=r["admin2"],
            lat=r["lat"], long=r["long"], extra=r["extra"],
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
        LocationAlias.objects.filter(scheme=jhu, location_id__in=set(location_ids.tolist()))
        .values_list("text", "location_id")
    )
    LocationAlias.objects.bulk_create(
        [
            LocationAlias(scheme=jhu, text=text, location_id=int(lid), normalised=normalise_name(text))
            for text, lid in sorted(pairs - known)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
