"""The Frictionless Data Package: datapackage.json beside the tidy CSV and the lookup tables."""

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import QuerySet
from django.utils import timezone

from places.models import Location, Metric
from sources.models import Source

from .. import citation
from ..models import Observation, Release
from .cells import escape_cell
from .schema import (
    DATAPACKAGE_NAME,
    LOCATION_COLUMNS,
    METRIC_COLUMNS,
    SOURCE_COLUMNS,
    TIDY_COLUMNS,
    TIDY_NAME,
    TIDY_PRIMARY_KEY,
    Column,
    names,
)
from .table import Table
from .tidy import write_tidy

LICENCE_URLS = {
    "cc by 4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc-by-4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "cc0 1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "odbl": ("ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


LOOKUP_TABLES = ("locations.csv", "metrics.csv", "sources.csv")


def _licence(text: str) -> dict[str, str]:
    found = LICENCE_URLS.get(" ".join(text.lower().split()))
    if found:
        return {"name": found[0], "path": found[1], "title": text}
    return {"title": text or "See the source"}


def _field(column: Column) -> dict[str, str]:
    described = {"name": column.name, "type": column.type, "description": column.description}
    if column.format:
        described["format"] = column.format
    return described


def _resource(
    name: str,
    path: str,
    title: str,
    columns: list[Column],
    primary_key: list[str] | None = None,
    foreign_keys: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [_field(column) for column in columns]}
    if primary_key:
        schema["primaryKey"] = primary_key
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {
        "name": name,
        "path": path,
        "title": title,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


RESOURCES = [
    _resource(
        "observations",
        TIDY_NAME,
        "Observations (tidy)",
        TIDY_COLUMNS,
        TIDY_PRIMARY_KEY,
        [
            {"fields": "location_key", "reference": {"resource": "locations", "fields": "key"}},
            {"fields": "metric", "reference": {"resource": "metrics", "fields": "code"}},
        ],
    ),
    _resource("locations", "locations.csv", "Locations", LOCATION_COLUMNS, ["key"]),
    _resource("metrics", "metrics.csv", "Metrics", METRIC_COLUMNS, ["code"]),
    _resource("sources", "sources.csv", "Sources", SOURCE_COLUMNS),
]


def _write_lookup_tables(directory: Path, used_sources: QuerySet[Source], used_locations: Any) -> list[Path]:
    """locations.csv (those with values), metrics.csv and sources.csv (those that supplied values)."""
    locations = pd.DataFrame(
        list(
            Location.objects.filter(pk__in=used_locations)
            .order_by("key")
            .values_list("key", "name", "level", "parent__key", "country_code", "latitude", "longitude")
        ),
        columns=names(LOCATION_COLUMNS),
    )
    metrics = pd.DataFrame(
        list(Metric.objects.order_by("code").values_list(*names(METRIC_COLUMNS))),
        columns=names(METRIC_COLUMNS),
    )
    sources = pd.DataFrame(list(used_sources.values_list(*names(SOURCE_COLUMNS))), columns=names(SOURCE_COLUMNS))
    written = []
    for name, frame in zip(LOOKUP_TABLES, (locations, metrics, sources), strict=True):
        text_columns = frame.select_dtypes(exclude="number").columns
        escaped = frame.copy()
        escaped[text_columns] = escaped[text_columns].fillna("").map(escape_cell)
        escaped.to_csv(directory / name, index=False, lineterminator="\n")
        written.append(directory / name)
    return written


def _distinct_ids(ids: np.ndarray) -> list[int]:
    """The distinct ids (database keys: small, not negative), in one pass rather than a sort."""
    if not len(ids):
        return []
    found: list[int] = np.flatnonzero(np.bincount(np.asarray(ids, dtype="int64"))).tolist()
    return found


def tables_digest(used: tuple[list[int], list[int]], fingerprint: str) -> str:
    """What the lookup tables are written from: the ids used, and the lookups' fingerprint (their rows)."""
    return hashlib.sha256(f"{fingerprint}:{used!r}".encode()).hexdigest()


def used_ids(table: Table) -> tuple[list[int], list[int]]:
    """The source and location ids the table's rows use (what a Data Package of them lists)."""
    return _distinct_ids(table.source_ids), _distinct_ids(table.location_ids)


def write_datapackage(
    directory: Path,
    *,
    release: Release | None = None,
    tidy_written: bool = False,
    table: Table | None = None,
    used: tuple[list[int], list[int]] | None = None,
    lookup_tables: bool = True,
) -> list[Path]:
    """A Frictionless Data Package: datapackage.json beside the tidy CSV and the reference tables.

    `table`: the values the package describes (a past release's, say), or `used`: the source and location
    ids they use (used_ids; the tidy CSV written already); the current ones otherwise. `lookup_tables`:
    False when the caller has them already (the same places and sources as a release before)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = [] if tidy_written else write_tidy(directory, gzip_copy=False, table=table)
    if used is None and table is not None:
        used = used_ids(table)
    if used is None:
        used_sources = Source.objects.filter(pk__in=Observation.objects.values("source_id")).order_by("name")
        used_locations: Any = Observation.objects.values("location_id")
    else:
        used_sources = Source.objects.filter(pk__in=used[0]).order_by("name")
        used_locations = used[1]
    if lookup_tables:
        written += _write_lookup_tables(directory, used_sources, used_locations)

    licences: dict[str, dict[str, str]] = {}
    for src in used_sources:
        licences.setdefault(src.licence, _licence(src.licence))
    package = {
        "profile": "tabular-data-package",
        "name": "covid19-open-data",
        "title": "COVID-19 Open Data",
        "description": "Canonical COVID-19 time series by location, metric and date, with the source of every value.",
        "version": f"{release.number}.0.0" if release else "0.0.0",
        "created": (release.created_at if release else timezone.now()).isoformat(timespec="seconds"),
        "licenses": list(licences.values()) or [{"title": "See the sources"}],
        "sources": [
            {
                "title": f"{s.name}: {s.attribution or s.institution} ({s.licence or 'licence not stated'})",
                "path": s.url,
            }
            for s in used_sources
        ],
        "release": {
            "number": release.number if release else None,
            "created_at": release.created_at.isoformat(timespec="seconds") if release else None,
            "description": release.description if release else "",
        },
        "resources": RESOURCES,
    }
    if release is not None:  # how to cite it, and CITATION.cff beside the descriptor
        package["citation"] = citation.citation_info(release)
        written.append(citation.write_release_file(directory, release))
    path = directory / DATAPACKAGE_NAME
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    return written
