"""The JHU export: time_series_covid19_<metric>_global.csv in the layout of JHU CSSE's time series, so
that scripts written for JHU's files work unchanged."""

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


def jhu_date(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year % 100:02d}"


def _jhu_rows(metric: Metric, location_ids: np.ndarray) -> pd.DataFrame:
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


def write_jhu(directory: Path) -> list[Path]:
    """time_series_covid19_<metric>_global.csv in JHU's layout, one file per metric that has data."""
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
        rows = _jhu_rows(metric, values["location_id"].unique())
        table = values.pivot(index="location_id", columns="date", values="value").sort_index(axis=1)
        table = table.reindex(rows["location_id"])
        text = format_values(table.to_numpy()).reshape(table.shape)
        header = JHU_HEADER + [jhu_date(day) for day in table.columns]
        ident = [[escape_cell(cell) for cell in row] for row in rows[JHU_HEADER].itertuples(index=False)]
        path = directory / JHU_NAME.format(metric=metric.code)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(i + t for i, t in zip(ident, text.tolist(), strict=True))
        written.append(path)
    return written
