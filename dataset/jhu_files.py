"""Reading JHU CSSE time-series files: the global and US layouts, checked whole before anything is written.

`read_jhu_file` raises `JhuFileError` naming the file, the line and the problem; dataset.jhu places
the rows it reads on locations and keeps JHU's own names for the export.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from places.models import Metric

from .models import JhuRow

GLOBAL_COLUMNS = ["Province/State", "Country/Region", "Lat", "Long"]
US_COLUMNS = [
    "UID",
    "iso2",
    "iso3",
    "code3",
    "FIPS",
    "Admin2",
    "Province_State",
    "Country_Region",
    "Lat",
    "Long_",
    "Combined_Key",
]
DATE_FORMATS = ("%m/%d/%y", "%Y-%m-%d", "%m/%d/%Y")
# JHU province names that neither equal nor begin an ISO 3166-2 name of their country.


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
        frame = pd.DataFrame(
            {
                "location_id": np.repeat(self.placed_ids(), n_dates),
                "metric_id": self.metric.pk,
                "date": np.tile(np.array(self.dates, dtype="datetime64[D]"), n_rows),
                "value": self.values.ravel(),
            }
        )
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
            return datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 (a calendar date has no time zone)
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
    elif header[: len(US_COLUMNS)] == US_COLUMNS:
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
        if not row or (all(not c.strip() for c in row) and len(row) <= 1):
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
        rows = pd.DataFrame(
            {
                "province_state": ident[:, 0],
                "country_region": ident[:, 1],
                "admin2": "",
                "lat": ident[:, 2],
                "long": ident[:, 3],
            }
        )
        rows["extra"] = [{} for _ in range(len(rows))]
    else:
        rows = pd.DataFrame(
            {
                "province_state": ident[:, 6],
                "country_region": ident[:, 7],
                "admin2": ident[:, 5],
                "lat": ident[:, 8],
                "long": ident[:, 9],
            }
        )
        extra_names = ["UID", "iso2", "iso3", "code3", "FIPS", "Combined_Key", *header[11:first_value]]
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
        path=path,
        layout=layout,
        metric=metric,
        dates=dates,
        rows=rows,
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
