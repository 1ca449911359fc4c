"""The JHU export: JHU CSSE's time-series layouts, so that scripts written for JHU's files work unchanged.

time_series_covid19_<metric>_global.csv holds JHU's global rows and every country JHU did not have;
time_series_covid19_<metric>_US.csv holds the rows JHU's US files had (UID, FIPS, Admin2 ...), written
back as JHU wrote them. A file is written only when it has rows: a metric whose values are all for
places neither layout lists (Italy's regions' ICU counts, say) gets no JHU file rather than a header.
"""

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from django.db.models import Exists, OuterRef

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
    """JHU's own rows for this metric in JHU's order, then countries JHU did not have, by name."""
    jhu = pd.DataFrame(
        list(
            JhuRow.objects.filter(layout=JhuRow.Layout.GLOBAL, metric=metric)
            .order_by("position")
            .values_list("location_id", "province_state", "country_region", "lat", "long")
        ),
        columns=["location_id", *JHU_HEADER],
    )
    jhu = jhu[jhu["location_id"].isin(location_ids)]
    others = (
        Location.objects.filter(
            pk__in=set(location_ids) - set(jhu["location_id"]),
            parent__isnull=True,
            level__in=[Location.Level.COUNTRY, Location.Level.SPECIAL],
        )
        .order_by("name")
        .values_list("id", "name", "latitude", "longitude")
    )
    extra = pd.DataFrame(
        [
            (pk, "", name, "" if lat is None else repr(lat), "" if lon is None else repr(lon))
            for pk, name, lat, lon in others
        ],
        columns=["location_id", *JHU_HEADER],
    )
    return pd.concat([jhu, extra], ignore_index=True)


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
