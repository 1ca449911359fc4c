"""Exports of the canonical dataset: tidy CSV (+ gzip), JHU's time-series layout, Parquet and a Data Package.

Every writer streams from the database in chunks and writes text cells through `escape_cell`, so a
name beginning with = + - @ (or a tab or CR) cannot run as a formula in a spreadsheet. Numbers are
never escaped, which keeps the JHU round trip exact (Lat "-11.2027" stays a number).
`build_release_exports` writes all formats for a release under EXPORTS_ROOT/<number>/ and records
them as ReleaseFile rows; running it twice gives the same files.
"""
import csv
import gzip
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from common.spreadsheets import escape_formula
from places.models import Location, Metric
from sources.models import Source

from .models import JhuRow, Observation, Release, ReleaseFile

FORMATS = ("tidy", "jhu", "parquet", "datapackage")
TIDY_NAME = "covid19-open-data.csv"
PARQUET_NAME = "covid19-open-data.parquet"
TIDY_HEADER = ["date", "location_key", "location_name", "metric", "value", "source"]
JHU_HEADER = ["Province/State", "Country/Region", "Lat", "Long"]
CHUNK_ROWS = 100_000
PARQUET_SCHEMA = pa.schema([
    ("date", pa.date32()),
    ("location_key", pa.string()),
    ("location_name", pa.string()),
    ("metric", pa.string()),
    ("value", pa.float64()),
    ("source", pa.string()),
])
LICENCE_URLS = {
    "cc by 4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc-by-4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "cc0 1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "odbl": ("ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


# --- cells ---------------------------------------------------------------------------------------

def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def escape_cell(text) -> str:
    """A text cell safe to open in a spreadsheet: formula-like text gets a leading apostrophe."""
    text = "" if text is None else str(text)
    return text if _is_number(text) else escape_formula(text)


def format_values(values: np.ndarray) -> np.ndarray:
    """Numbers as text: whole numbers without ".0", others in their shortest exact form, NaN as ""."""
    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values)
    whole = finite & (np.abs(values) < 2**53)
    whole[whole] = values[whole] == np.floor(values[whole])
    out = np.full(values.shape, "", dtype=object)
    out[whole] = values[whole].astype("int64").astype(str)
    other = finite & ~whole
    if other.any():
        out[other] = [repr(float(v)) for v in values[other]]
    return out


# --- reading the dataset -------------------------------------------------------------------------

def _lookups():
    locations = pd.DataFrame(
        list(Location.objects.values_list("id", "key", "name")), columns=["id", "key", "name"]
    ).set_index("id")
    metrics = pd.DataFrame(list(Metric.objects.values_list("id", "code")), columns=["id", "code"]).set_index("id")
    sources = pd.DataFrame(list(Source.objects.values_list("id", "name")), columns=["id", "name"]).set_index("id")
    return locations, metrics, sources


def epoch_days_sql(column: str) -> str:
    """SQL for a date column as days since 1970-01-01 (integers travel much faster than date text)."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _fetch(sql: str, params=(), chunk_rows: int = CHUNK_ROWS) -> list[np.ndarray]:
    """Run a query and return its columns as numpy arrays (dates as datetime64[D])."""
    parts: list[list] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(chunk_rows):
            parts.append([np.array(column) for column in zip(*rows, strict=True)])
    if not parts:
        return [np.array([]) for _ in names]
    columns = [np.concatenate([p[i] for p in parts]) for i in range(len(names))]
    return [
        c.astype("int64").astype("datetime64[D]") if n == "date" else c for n, c in zip(names, columns, strict=True)
    ]


def iter_observations(chunk_rows: int = CHUNK_ROWS):
    """The whole dataset as DataFrames in the stable order date, location_key, metric (raw text).

    Sorting happens in numpy on small integer ranks (SQLite's ORDER BY over joined text keys is
    several times slower); memory is a few tens of bytes per value.
    """
    locations, metrics, sources = _lookups()
    obs = Observation._meta.db_table
    dates, location_ids, metric_ids, values, source_ids = _fetch(
        f"SELECT {epoch_days_sql('date')} AS date, location_id, metric_id, value, source_id FROM {obs}"  # noqa: S608
    )
    if not len(dates):
        return
    location_rank = locations["key"].rank(method="dense").astype("int64")
    metric_rank = metrics["code"].rank(method="dense").astype("int64")
    order = np.lexsort((
        metric_rank.reindex(metric_ids).to_numpy(),
        location_rank.reindex(location_ids).to_numpy(),
        dates,
    ))
    for start in range(0, len(order), chunk_rows):
        index = order[start:start + chunk_rows]
        yield pd.DataFrame({
            "date": np.datetime_as_string(dates[index], unit="D"),
            "location_key": locations["key"].reindex(location_ids[index]).to_numpy(),
            "location_name": locations["name"].reindex(location_ids[index]).to_numpy(),
            "metric": metrics["code"].reindex(metric_ids[index]).to_numpy(),
            "value": values[index].astype("float64"),
            "source": sources["name"].reindex(source_ids[index]).to_numpy(),
        })


def _csv_rows(chunk: pd.DataFrame):
    """A tidy chunk as CSV rows: text cells escaped (once per distinct text), numbers formatted."""
    columns = []
    for column in TIDY_HEADER:
        if column == "value":
            columns.append(format_values(chunk["value"].to_numpy()).tolist())
        elif column == "date":
            columns.append(chunk["date"].tolist())
        else:
            values = chunk[column].tolist()
            escaped = {text: escape_cell(text) for text in set(values)}
            columns.append([escaped[text] for text in values])
    return zip(*columns, strict=True)


# --- writers -------------------------------------------------------------------------------------

def write_tidy(directory: Path, *, gzip_copy: bool = True) -> list[Path]:
    """date,location_key,location_name,metric,value,source sorted by date, location_key, metric."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / TIDY_NAME
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TIDY_HEADER)
        for chunk in iter_observations():
            writer.writerows(_csv_rows(chunk))
    written = [path]
    if gzip_copy:
        gz_path = directory / (TIDY_NAME + ".gz")
        with path.open("rb") as src, gz_path.open("wb") as raw, gzip.GzipFile(
            filename=TIDY_NAME, mode="wb", fileobj=raw, mtime=0, compresslevel=6
        ) as dst:
            shutil.copyfileobj(src, dst, length=1 << 20)
        written.append(gz_path)
    return written


def write_parquet(directory: Path) -> list[Path]:
    """One Parquet file with typed columns (date32, string, float64), written chunk by chunk."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PARQUET_NAME
    with pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd") as writer:
        for chunk in iter_observations():
            frame = chunk.assign(date=pd.to_datetime(chunk["date"], format="%Y-%m-%d").dt.date)
            writer.write_table(pa.Table.from_pandas(frame, schema=PARQUET_SCHEMA, preserve_index=False))
    return [path]


def jhu_date(day) -> str:
    return f"{day.month}/{day.day}/{day.year % 100:02d}"


def _jhu_rows(metric: Metric, location_ids) -> pd.DataFrame:
    """JHU's own rows for this metric in JHU's order, then countries JHU did not have, by name."""
    jhu = pd.DataFrame(
        list(JhuRow.objects.filter(layout=JhuRow.Layout.GLOBAL, metric=metric).order_by("position")
             .values_list("location_id", "province_state", "country_region", "lat", "long")),
        columns=["location_id", *JHU_HEADER],
    )
    jhu = jhu[jhu["location_id"].isin(location_ids)]
    others = (
        Location.objects.filter(pk__in=set(location_ids) - set(jhu["location_id"]), parent__isnull=True,
                                level__in=[Location.Level.COUNTRY, Location.Level.SPECIAL])
        .order_by("name").values_list("id", "name", "latitude", "longitude")
    )
    extra = pd.DataFrame(
        [(pk, "", name, "" if lat is None else repr(lat), "" if lon is None else repr(lon))
         for pk, name, lat, lon in others],
        columns=["location_id", *JHU_HEADER],
    )
    return pd.concat([jhu, extra], ignore_index=True)


def write_jhu(directory: Path) -> list[Path]:
    """time_series_covid19_<metric>_global.csv in JHU's layout, one file per metric that has data."""
    directory.mkdir(parents=True, exist_ok=True)
    obs = Observation._meta.db_table
    written = []
    with_data = Metric.objects.filter(Exists(Observation.objects.filter(metric=OuterRef("pk"))))
    for metric in with_data.order_by("display_order", "code"):
        location_ids, dates, numbers = _fetch(
            f"SELECT location_id, {epoch_days_sql('date')} AS date, value FROM {obs} WHERE metric_id = %s",  # noqa: S608
            [metric.pk],
        )
        values = pd.DataFrame({"location_id": location_ids, "date": dates, "value": numbers.astype("float64")})
        rows = _jhu_rows(metric, values["location_id"].unique())
        table = values.pivot(index="location_id", columns="date", values="value").sort_index(axis=1)
        table = table.reindex(rows["location_id"])
        text = format_values(table.to_numpy()).reshape(table.shape)
        header = JHU_HEADER + [jhu_date(day) for day in table.columns]
        ident = [[escape_cell(cell) for cell in row] for row in rows[JHU_HEADER].itertuples(index=False)]
        path = directory / f"time_series_covid19_{metric.code}_global.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(i + t for i, t in zip(ident, text.tolist(), strict=True))
        written.append(path)
    return written


def _licence(text: str) -> dict:
    found = LICENCE_URLS.get(" ".join(text.lower().split()))
    if found:
        return {"name": found[0], "path": found[1], "title": text}
    return {"title": text or "See the source"}


def write_datapackage(directory: Path, *, release: Release | None = None, tidy_written: bool = False) -> list[Path]:
    """A Frictionless Data Package: datapackage.json beside the tidy CSV and the reference tables."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [] if tidy_written else write_tidy(directory, gzip_copy=False)
    used_locations = Observation.objects.values("location_id")
    locations = pd.DataFrame(
        list(Location.objects.filter(pk__in=used_locations).order_by("key")
             .values_list("key", "name", "level", "parent__key", "country_code", "latitude", "longitude")),
        columns=["key", "name", "level", "parent_key", "country_code", "latitude", "longitude"],
    )
    metrics = pd.DataFrame(
        list(Metric.objects.order_by("code").values_list("code", "name", "kind", "unit", "description")),
        columns=["code", "name", "kind", "unit", "description"],
    )
    used_sources = Source.objects.filter(pk__in=Observation.objects.values("source_id")).order_by("name")
    sources = pd.DataFrame(
        list(used_sources.values_list("name", "institution", "url", "licence", "attribution")),
        columns=["name", "institution", "url", "licence", "attribution"],
    )
    for name, frame in (("locations.csv", locations), ("metrics.csv", metrics), ("sources.csv", sources)):
        text_columns = frame.select_dtypes(exclude="number").columns
        escaped = frame.copy()
        escaped[text_columns] = escaped[text_columns].fillna("").map(escape_cell)
        escaped.to_csv(directory / name, index=False, lineterminator="\n")
        written.append(directory / name)

    licences = {}
    for src in used_sources:
        licences.setdefault(src.licence, _licence(src.licence))

    def resource(name, path, title, fields, primary_key, foreign_keys=()):
        schema = {"fields": fields, "primaryKey": primary_key}
        if foreign_keys:
            schema["foreignKeys"] = list(foreign_keys)
        return {
            "name": name, "path": path, "title": title, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
        }

    def field(name, type_, description, **extra):
        return {"name": name, "type": type_, "description": description, **extra}

    package = {
        "profile": "tabular-data-package",
        "name": "covid19-open-data",
        "title": "COVID-19 Open Data",
        "description": "Canonical COVID-19 time series by location, metric and date, with the source of every value.",
        "version": f"{release.number}.0.0" if release else "0.0.0",
        "created": (release.created_at if release else timezone.now()).isoformat(timespec="seconds"),
        "licenses": list(licences.values()) or [{"title": "See the sources"}],
        "sources": [
            {"title": f"{s.name}: {s.attribution or s.institution} ({s.licence or 'licence not stated'})",
             "path": s.url}
            for s in used_sources
        ],
        "release": {
            "number": release.number if release else None,
            "created_at": release.created_at.isoformat(timespec="seconds") if release else None,
            "description": release.description if release else "",
        },
        "resources": [
            resource("observations", TIDY_NAME, "Observations (tidy)", [
                field("date", "date", "The day the value refers to."),
                field("location_key", "string", "Our stable location key (see locations)."),
                field("location_name", "string", "The location's name."),
                field("metric", "string", "Metric code (see metrics)."),
                field("value", "number", "The value on that date."),
                field("source", "string", "Name of the source that supplied the value (see sources)."),
            ], ["date", "location_key", "metric"], [
                {"fields": "location_key", "reference": {"resource": "locations", "fields": "key"}},
                {"fields": "metric", "reference": {"resource": "metrics", "fields": "code"}},
            ]),
            resource("locations", "locations.csv", "Locations", [
                field("key", "string", "Stable key: ISO 3166-1 alpha-2, IT_25, US_CA_06037, SHIP_..."),
                field("name", "string", "Name."),
                field("level", "string", "country, region, subregion or special."),
                field("parent_key", "string", "Key of the enclosing location."),
                field("country_code", "string", "ISO 3166-1 alpha-2 of the country."),
                field("latitude", "number", "Latitude."),
                field("longitude", "number", "Longitude."),
            ], ["key"]),
            resource("metrics", "metrics.csv", "Metrics", [
                field("code", "string", "Metric code."),
                field("name", "string", "Name."),
                field("kind", "string", "cumulative, daily or current."),
                field("unit", "string", "Unit."),
                field("description", "string", "Definition."),
            ], ["code"]),
            resource("sources", "sources.csv", "Sources", [
                field("name", "string", "Source name."),
                field("institution", "string", "Publishing institution."),
                field("url", "string", "Where the data come from.", format="uri"),
                field("licence", "string", "Licence of the data."),
                field("attribution", "string", "Attribution the licence asks for."),
            ], []),
        ],
    }
    package["resources"][3]["schema"].pop("primaryKey")
    path = directory / "datapackage.json"
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    return written


def export(fmt: str, directory: Path, *, release: Release | None = None) -> list[Path]:
    """Write one format into `directory` and return the files written."""
    directory = Path(directory)
    if fmt == "tidy":
        return write_tidy(directory)
    if fmt == "jhu":
        return write_jhu(directory)
    if fmt == "parquet":
        return write_parquet(directory)
    if fmt == "datapackage":
        return write_datapackage(directory, release=release or Release.objects.order_by("-number").first())
    raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


# --- a release's files ---------------------------------------------------------------------------

def _format_of(name: str) -> str:
    if name == TIDY_NAME:
        return "csv"
    if name == TIDY_NAME + ".gz":
        return "csv.gz"
    if name == PARQUET_NAME:
        return "parquet"
    if name.startswith("time_series_covid19_"):
        return "jhu"
    return "datapackage"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_release_exports(*, release: Release) -> list[ReleaseFile]:
    """Write every format for the latest release and record its files; a second run does nothing.

    Exports describe the dataset as it is now, so only the latest release gets them: an older
    release's task finds a newer one and returns without writing.
    """
    latest = Release.objects.order_by("-number").values_list("pk", flat=True).first()
    if latest != release.pk:
        return []
    root = Path(settings.EXPORTS_ROOT)
    target = root / str(release.number)
    existing = list(release.files.all())
    if release.exports_built_at and existing and all((root / f.path).is_file() for f in existing):
        return existing
    staging = root / f".{release.number}.tmp-{uuid.uuid4().hex}"
    try:
        written = [
            *write_tidy(staging),
            *write_jhu(staging),
            *write_parquet(staging),
            *write_datapackage(staging, release=release, tidy_written=True),
        ]
        target.mkdir(parents=True, exist_ok=True)
        records = []
        for path in written:
            final = target / path.name
            os.replace(path, final)
            records.append(ReleaseFile.objects.update_or_create(
                release=release, name=path.name,
                defaults={
                    "format": _format_of(path.name), "path": f"{release.number}/{path.name}",
                    "size": final.stat().st_size, "sha256": _sha256(final),
                },
            )[0])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    Release.objects.filter(pk=release.pk).update(exports_built_at=timezone.now())
    return records
