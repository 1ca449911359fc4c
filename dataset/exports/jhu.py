"""The JHU export: JHU CSSE's time-series layouts, so that scripts written for JHU's files work unchanged.

time_series_covid19_<metric>_global.csv holds JHU's global rows and a row for every other country and
first-level region with values (values contributed through the portal included: every value of the
dataset is written, whoever published it);
time_series_covid19_<metric>_US.csv holds the rows JHU's US files had (UID, FIPS, Admin2 ...), written
back as JHU wrote them. A file is written only when it has rows: a metric whose values are all for
places neither layout lists (second-level regions' ICU counts, say) gets no JHU file rather than a header.
"""

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from django.db.models import Exists, OuterRef, Q

from places.models import Location, Metric

from ..models import JhuRow, Observation
from .cells import escape_cell, format_values
from .reading import epoch_days_sql, fetch_columns
from .schema import JHU_HEADER, JHU_NAME

JHU_US_NAME = "time_series_covid19_{metric}_US.csv"
US_IDENT = ["UID", "iso2", "iso3", "code3", "FIPS", "Admin2", "Province_State", "Country_Region", "Lat", "Long_"]
US_AFTER = ["Combined_Key"]  # then Population, when JHU's file had it (the deaths file)


def jhu_date(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year % 100:02d}"


def _global_rows(metric: Metric, location_ids: np.ndarray) -> pd.DataFrame:
    """JHU's own rows for this metric in JHU's order, then a row for every other place with values.

    A place JHU had in another metric's file keeps that row's names and coordinates; a country or special
    place JHU did not have gets ("", its name); a first-level region, (its name, its country's name as
    JHU wrote it, else the country's name); both with the place's coordinates. These follow JHU's rows,
    ordered by Country/Region then Province/State. Places of JHU's US files are in the US files, and
    second-level regions have no row in this layout (JHU's global files have two levels)."""
    jhu = pd.DataFrame(
        list(
            JhuRow.objects.filter(layout=JhuRow.Layout.GLOBAL, metric=metric)
            .order_by("position")
            .values_list("location_id", "province_state", "country_region", "lat", "long")
        ),
        columns=["location_id", *JHU_HEADER],
    )
    jhu = jhu[jhu["location_id"].isin(location_ids)]
    remaining = set(location_ids.tolist()) - set(jhu["location_id"].tolist())
    extra: dict[int, tuple[str, str, str, str]] = {}
    if remaining:
        others = JhuRow.objects.filter(location_id__in=remaining).order_by(
            "metric__display_order", "metric__code", "position"
        )
        in_us_files = set()
        for location_id, layout, province, country, lat, long in others.values_list(
            "location_id", "layout", "province_state", "country_region", "lat", "long"
        ):
            if layout == JhuRow.Layout.US:
                in_us_files.add(location_id)
            else:
                extra.setdefault(location_id, (province, country, lat, long))
        remaining -= set(extra) | in_us_files
        extra.update(_rows_of_places(remaining))
    rows = pd.DataFrame(
        sorted(((pk, *row) for pk, row in extra.items()), key=lambda row: (row[2], row[1], row[0])),
        columns=["location_id", *JHU_HEADER],
    )
    return pd.concat([jhu, rows], ignore_index=True) if len(rows) else jhu.reset_index(drop=True)


def _coordinate(value: float | None) -> str:
    return "" if value is None else repr(value)


def _rows_of_places(location_ids: set[int]) -> dict[int, tuple[str, str, str, str]]:
    """Rows built from the places themselves (see _global_rows), for those that have one in this layout."""
    places = Location.objects.filter(pk__in=location_ids).filter(
        Q(parent__isnull=True, level__in=[Location.Level.COUNTRY, Location.Level.SPECIAL])
        | Q(parent__isnull=False, parent__parent__isnull=True, level=Location.Level.REGION)
    )
    rows: dict[int, tuple[str, str, str, str]] = {}
    regions = []
    for pk, name, lat, lon, parent_id, parent_name in places.values_list(
        "pk", "name", "latitude", "longitude", "parent_id", "parent__name"
    ):
        if parent_id is None:
            rows[pk] = ("", name, _coordinate(lat), _coordinate(lon))
        else:
            regions.append((pk, name, lat, lon, parent_id, parent_name))
    if regions:
        jhu_names = dict(
            JhuRow.objects.filter(
                layout=JhuRow.Layout.GLOBAL, province_state="", location_id__in={r[4] for r in regions}
            ).values_list("location_id", "country_region")
        )
        for pk, name, lat, lon, parent_id, parent_name in regions:
            rows[pk] = (name, jhu_names.get(parent_id, parent_name), _coordinate(lat), _coordinate(lon))
    return rows


def _us_rows(metric: Metric, location_ids: np.ndarray) -> tuple[list[str], pd.DataFrame]:
    """The header's identity columns and JHU's US rows for this metric (in JHU's order) that have values."""
    stored = (
        JhuRow.objects.filter(layout=JhuRow.Layout.US, metric=metric, location_id__in=location_ids.tolist())
        .order_by("position")
        .values_list("location_id", "province_state", "country_region", "admin2", "lat", "long", "extra")
    )
    after = list(US_AFTER)
    records = []
    for location_id, province, country, admin2, lat, long, extra in stored:
        for name in extra:
            if name not in US_IDENT and name not in after:
                after.append(name)  # Population, or any column JHU adds after Combined_Key
        records.append(
            {
                **extra,
                "location_id": location_id,
                "Admin2": admin2,
                "Province_State": province,
                "Country_Region": country,
                "Lat": lat,
                "Long_": long,
            }
        )
    header = US_IDENT + after
    rows = pd.DataFrame(records, columns=["location_id", *header]).fillna("")
    return header, rows


def _write(path: Path, header: list[str], rows: pd.DataFrame, values: pd.DataFrame) -> Path:
    """One JHU file: the rows' identity columns, then their values on the dates they have."""
    mine = values[values["location_id"].isin(rows["location_id"])]
    table = mine.pivot(index="location_id", columns="date", values="value").sort_index(axis=1)
    table = table.reindex(rows["location_id"])
    text = format_values(table.to_numpy()).reshape(table.shape)
    ident = [[escape_cell(cell) for cell in row] for row in rows[header].itertuples(index=False)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header + [jhu_date(day) for day in table.columns])
        writer.writerows(i + t for i, t in zip(ident, text.tolist(), strict=True))
    return path


def write_jhu(directory: Path) -> list[Path]:
    """JHU's global and US files, one per metric and layout that has rows with values."""
    directory.mkdir(parents=True, exist_ok=True)
    obs = Observation._meta.db_table
    written: list[Path] = []
    with_data = Metric.objects.filter(Exists(Observation.objects.filter(metric=OuterRef("pk"))))
    for metric in with_data.order_by("display_order", "code"):
        location_ids, dates, numbers = fetch_columns(
            f"SELECT location_id, {epoch_days_sql('date')} AS date, value FROM {obs} WHERE metric_id = %s",  # noqa: S608
            [metric.pk],
        )
        values = pd.DataFrame({"location_id": location_ids, "date": dates, "value": numbers.astype("float64")})
        with_values = values["location_id"].unique()
        rows = _global_rows(metric, with_values)
        if len(rows):
            written.append(_write(directory / JHU_NAME.format(metric=metric.code), JHU_HEADER, rows, values))
        us_header, us_rows = _us_rows(metric, with_values)
        if len(us_rows):
            written.append(_write(directory / JHU_US_NAME.format(metric=metric.code), us_header, us_rows, values))
    return written
