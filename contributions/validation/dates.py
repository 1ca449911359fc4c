"""Dates: the one format that reads a file's date texts, dates in file names and headers, and each
row's date checked (readable, not in the future, not before COVID-19 data begin)."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..parsing import problem
from .context import Context, Plan
from .encoding import encode
from .problems import rows_by_code

EARLIEST_DATE = dt.date(2019, 12, 1)
DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%m/%d/%y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d-%m-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
]
# Pairs of formats that read the same text differently; both fitting every value is ambiguous.
DAY_MONTH_PAIRS = [("%m/%d/%y", "%d/%m/%y"), ("%m/%d/%Y", "%d/%m/%Y"), ("%m-%d-%Y", "%d-%m-%Y")]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


def _one_date(text: str, fmt: str | None) -> dt.date | None:
    if fmt is not None:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date has no time zone)
        except ValueError:
            return None
    if ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if ISO_PREFIX.match(text):
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    if EXCEL_SERIAL.match(text) and 20000 <= float(text) <= 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))
    return None


@dataclass
class DateReading:
    dates: dict[str, dt.date | None]  # text -> date or None
    format: str | None
    ambiguous: tuple[str, str] | None = None


def read_dates(texts: Iterable[str], date_format: str | None = None) -> DateReading:
    """Parse distinct date texts with the one format that fits them all (ISO timestamps and Excel
    serial numbers are recognised by their shape); `ambiguous` names two formats that both fit."""
    texts = [t for t in dict.fromkeys(str(t).strip() for t in texts) if t]
    if date_format:
        return DateReading({t: _one_date(t, date_format) or _one_date(t, None) for t in texts}, date_format)
    dates = {t: _one_date(t, None) for t in texts}
    rest = [t for t, d in dates.items() if d is None]
    if not rest:
        return DateReading(dates, "ISO 8601")
    # Choose on a sample that keeps the values most likely to tell day and month apart.
    telling = [t for t in rest if re.search(r"(^|\D)(1[3-9]|2\d|3[01])\D", t)]
    sample = list(dict.fromkeys(rest[:300] + telling[:300]))
    best, best_count, fits = None, 0, {}
    for fmt in DATE_FORMATS:
        count = sum(_one_date(t, fmt) is not None for t in sample)
        fits[fmt] = count
        if count > best_count:
            best, best_count = fmt, count
    ambiguous = None
    for first, second in DAY_MONTH_PAIRS:
        both_fit = fits[first] == fits[second] == len(sample) and best in (first, second)
        if both_fit and any(_one_date(t, first) != _one_date(t, second) for t in sample):
            ambiguous = (first, second)
    for t in rest:
        dates[t] = _one_date(t, best) if best else None
    return DateReading(dates, best, ambiguous)


def date_in_filename(filename: str) -> dt.date | None:
    """A date written in a file name (20200301, 2020-03-01, or JHU's 03-01-2020 month first)."""
    name = filename.rsplit("/", 1)[-1]
    m = re.search(r"(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})", name)
    candidates = []
    if m:
        candidates.append((int(m[1]), int(m[2]), int(m[3])))
    m = re.search(r"(\d{2})[-_.](\d{2})[-_.](20\d{2})", name)
    if m:
        candidates += [(int(m[3]), int(m[1]), int(m[2])), (int(m[3]), int(m[2]), int(m[1]))]
    for y, mo, d in candidates:
        try:
            return dt.date(y, mo, d)
        except ValueError:
            continue
    return None


def header_is_date(header: str) -> bool:
    """Whether a column header is a date (the columns of a file with one column per date)."""
    text = header.strip()
    if ISO_PREFIX.match(text) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return True
    if EXCEL_SERIAL.match(text):
        return 20000 <= float(text) <= 80000
    return bool(re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text))


def resolve_dates(ctx: Context, rows: pd.DataFrame, plans: dict[str, Plan]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code and, per code, the datetime64[s] date (NaT when wrong); unparseable, future and
    too early dates are reported once per text."""
    codes, uniques = encode(rows["date"])
    reading = read_dates(uniques, ctx.mapping.get("date_format"))
    if reading.ambiguous and not ctx.mapping.get("date_format"):
        first, second = reading.ambiguous
        ctx.needs.append(
            {
                "code": "ambiguous_date_format",
                "message": f"Dates such as {uniques[0]!r} can be read as {first} or {second}; say which the file uses.",
                "sheet": None,
            }
        )
        ctx.suggested["date_format"] = first
    parsed = [reading.dates.get(u) for u in uniques]
    as_np = np.array([d or "NaT" for d in parsed], dtype="datetime64[D]").astype("datetime64[s]")
    today = np.datetime64(ctx.today, "s")
    earliest = np.datetime64(EARLIEST_DATE, "s")
    grouped_rows = None
    for index in np.flatnonzero(np.isnat(as_np) | (as_np > today) | (as_np < earliest)).tolist():
        text, day = uniques[index], parsed[index]
        if day is None:
            code, message = (
                "date_unparseable",
                f"{text!r} is not a date we can read"
                + (f" (the file's dates look like {reading.format})." if reading.format else "."),
            )
        elif np.datetime64(day, "s") > today:
            code, message = "date_in_future", f"{day.isoformat()} is in the future."
        elif np.datetime64(day, "s") < earliest:
            code, message = "date_too_early", f"{day.isoformat()} is before December 2019, when COVID-19 data begin."
        else:
            continue
        if grouped_rows is None:
            grouped_rows = rows_by_code(codes, np.arange(len(rows)))
        if ctx.problems.over_cap(code, "error", rows["row"].to_numpy()[grouped_rows[index]]):
            continue
        where = rows.iloc[grouped_rows[index]][["row", "sheet"]].astype({"sheet": "str"}).drop_duplicates()
        column = plans[where["sheet"].iloc[0]].date_column or "date"
        ctx.problems.add(
            problem(
                code,
                message,
                row=int(where["row"].iloc[0]),
                column=column,
                value=text,
                sheet=where["sheet"].iloc[0] or None,
            ),
            rows=where["row"].tolist(),
        )
    valid = as_np.copy()
    valid[(as_np > today) | (as_np < earliest)] = np.datetime64("NaT")
    return codes, valid
