"""Dates: the one format that reads a file's date texts, dates in file names and headers, and each
row's date checked (readable, not in the future, not before COVID-19 data begin)."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from ..parsing import problem
from ..texts import Text
from ..texts import day as day_param
from .context import Context, Plan, mapping_reason
from .encoding import encode
from .problems import rows_by_code

EARLIEST_DATE = dt.date(2019, 12, 1)
ISO = "ISO 8601"  # dates, timestamps and Excel serial numbers recognised by their shape
YEAR_DAY_MONTH = "%Y-%d-%m"  # a published mistake ("2020-22-01"), read only when values demand it
YEAR_DAY_MONTH_FORMATS = {YEAR_DAY_MONTH, "%Y/%d/%m"}
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
    YEAR_DAY_MONTH,
    "%Y/%d/%m",
]
# Pairs of formats that read the same text differently; both fitting every value is ambiguous.
DAY_MONTH_PAIRS = [("%m/%d/%y", "%d/%m/%y"), ("%m/%d/%Y", "%d/%m/%Y"), ("%m-%d-%Y", "%d-%m-%Y")]
# Formats whose texts have ISO's shape: a value that does not fit them is not read as ISO instead.
ISO_SHAPED = {YEAR_DAY_MONTH, "%Y-%m-%d"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
TELLING = re.compile(r"(^|\D)(1[3-9]|2\d|3[01])(\D|$)")  # a day that cannot be a month
SAMPLE = 300
MAX_OTHERS_CHECKED = 1000  # unread values tried with the other formats (the rest are simply unread)


def _one_date(text: str, fmt: str | None) -> dt.date | None:
    if fmt is not None and fmt != ISO:
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
    others: dict[str, str] = field(default_factory=dict)  # a text `format` does not read -> a format that does


def read_dates(texts: Iterable[str], date_format: str | None = None) -> DateReading:
    """Parse the distinct date texts of one column with the one format that fits them (ISO dates and
    timestamps, and Excel serial numbers, are recognised by their shape); `ambiguous` names two formats
    that both fit every value, and `others` the values that only another format reads (a column that
    mixes formats: they are not read)."""
    texts = [t for t in dict.fromkeys(str(t).strip() for t in texts) if t]
    if date_format:
        fallback = date_format not in ISO_SHAPED  # ISO date cells of a workbook typed in another format
        return DateReading(
            {t: _one_date(t, date_format) or (_one_date(t, None) if fallback else None) for t in texts}, date_format
        )
    dates = {t: _one_date(t, None) for t in texts}
    if all(d is not None for d in dates.values()):
        return DateReading(dates, ISO)
    # Choose on a sample that keeps the values most likely to tell day and month apart.
    telling = [t for t in texts if TELLING.search(t)]
    sample = list(dict.fromkeys(texts[:SAMPLE] + telling[:SAMPLE]))
    fits = {fmt: sum(_one_date(t, fmt) is not None for t in sample) for fmt in [ISO, *DATE_FORMATS]}
    best = max(fits, key=lambda fmt: fits[fmt])  # the first of equals: ISO, then the usual formats
    if not fits[best]:
        return DateReading(dict.fromkeys(texts), None)
    ambiguous = None
    for first, second in DAY_MONTH_PAIRS:
        both_fit = fits[first] == fits[second] == len(sample) and best in (first, second)
        if both_fit and any(_one_date(t, first) != _one_date(t, second) for t in sample):
            ambiguous = (first, second)
    dates = {t: _one_date(t, best) for t in texts}
    others = {}
    unread = [t for t, d in dates.items() if d is None]
    if unread:
        rest = [fmt for fmt in fits if fmt != best]
        for t in unread[:MAX_OTHERS_CHECKED]:
            other = next((fmt for fmt in rest if fits[fmt] and _one_date(t, fmt) is not None), None)
            if other is not None:
                others[t] = other
    return DateReading(dates, best, ambiguous, others)


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
    """Each row's code and, per code, the datetime64[s] date (NaT when wrong). Each sheet's date column
    is read with one format decided from all its values; unparseable, future and too early dates are
    reported once per text, a column that mixes formats once."""
    date_codes, uniques = encode(rows["date"])
    sheet_codes, sheets = encode(rows["sheet"])
    if len(sheets) > 1:  # a text per sheet: each sheet's column has its own format
        codes, pairs = pd.factorize(sheet_codes.astype("int64") * (len(uniques) + 1) + date_codes)
        texts = [uniques[int(p) % (len(uniques) + 1)] for p in pairs]
        sheet_of = [sheets[int(p) // (len(uniques) + 1)] for p in pairs]
    else:
        codes, texts, sheet_of = date_codes, uniques, [sheets[0] if sheets else ""] * len(uniques)
    parsed: list[dt.date | None] = [None] * len(texts)
    readings: dict[str, DateReading] = {}
    for sheet in dict.fromkeys(sheet_of):
        indexes = [i for i, name in enumerate(sheet_of) if name == sheet]
        reading = readings[sheet] = read_dates([texts[i] for i in indexes], ctx.mapping.get("date_format"))
        for i in indexes:
            parsed[i] = reading.dates.get(texts[i].strip())
        _report_reading(ctx, reading, plans.get(sheet), sheet)
    as_np = np.array([d or "NaT" for d in parsed], dtype="datetime64[D]").astype("datetime64[s]")
    _report_bad_dates(ctx, rows, codes, texts, sheet_of, parsed, as_np, readings, plans)
    valid = as_np.copy()
    valid[(as_np > np.datetime64(ctx.today, "s")) | (as_np < np.datetime64(EARLIEST_DATE, "s"))] = np.datetime64("NaT")
    return np.asarray(codes), valid


def _report_reading(ctx: Context, reading: DateReading, plan: Plan | None, sheet: str) -> None:
    """What a column's format needs said: two formats fit (the volunteer chooses), or the dates are
    written year-day-month (every value of the column is read so)."""
    column = (plan.date_column if plan else None) or "date"
    given = ctx.mapping.get("date_format")
    if reading.ambiguous and not given:
        first, second = reading.ambiguous
        example = next(iter(reading.dates), "")
        message = Text(
            gettext_noop("Dates such as %(example)s can be read as %(first)s or %(second)s; say which the file uses."),
            example=repr(example),
            first=first,
            second=second,
        )
        ctx.needs.append(mapping_reason("ambiguous_date_format", message, sheet or None))
        ctx.suggested["date_format"] = first
    if reading.format in YEAR_DAY_MONTH_FORMATS and not given:
        only = next((t for t, d in reading.dates.items() if d and _one_date(t, ISO) is None), "")
        month = re.split(r"\D", only)[1] if only else ""
        both = next((t for t, d in reading.dates.items() if d and _one_date(t, ISO) not in (None, d)), None)
        day = reading.dates.get(both) if both else None
        ctx.problems.add(
            problem(
                "date_year_day_month",
                Text(
                    gettext_noop(
                        "The dates of column %(column)s are written year-day-month (%(only)s has no month %(month)s): "
                        "every date of the column is read that way, so %(example)s is %(day)s. If that is wrong, "
                        "choose the date format in the mapping."
                    ),
                    column=repr(column),
                    only=repr(only),
                    month=month,
                    example=repr(both),
                    day=day_param(day),
                )
                if both and day
                else Text(
                    gettext_noop(
                        "The dates of column %(column)s are written year-day-month (%(only)s has no month %(month)s): "
                        "every date of the column is read that way. If that is wrong, choose the date format in the "
                        "mapping."
                    ),
                    column=repr(column),
                    only=repr(only),
                    month=month,
                ),
                severity="warning",
                column=column,
                value=only,
                sheet=sheet or None,
            )
        )


def _report_bad_dates(
    ctx: Context,
    rows: pd.DataFrame,
    codes: np.ndarray,
    texts: list[str],
    sheet_of: list[str],
    parsed: list[dt.date | None],
    as_np: np.ndarray,
    readings: dict[str, DateReading],
    plans: dict[str, Plan],
) -> None:
    """A problem per unparseable, future or too early date text, and one per column that mixes formats."""
    today = np.datetime64(ctx.today, "s")
    earliest = np.datetime64(EARLIEST_DATE, "s")
    bad = np.flatnonzero(np.isnat(as_np) | (as_np > today) | (as_np < earliest)).tolist()
    if not bad:
        return
    grouped_rows = rows_by_code(codes, rows["row"].to_numpy())
    mixed: dict[str, list[int]] = {}
    for index in bad:
        text, day, sheet = texts[index], parsed[index], sheet_of[index]
        reading = readings[sheet]
        column = (plans[sheet].date_column if sheet in plans else None) or "date"
        if day is None and text.strip() in reading.others:
            mixed.setdefault(sheet, []).append(index)
            continue
        if day is None:
            code, message = (
                "date_unparseable",
                Text(
                    gettext_noop("%(text)s is not a date we can read (the column's dates look like %(format)s)."),
                    text=repr(text),
                    format=reading.format,
                )
                if reading.format
                else Text(gettext_noop("%(text)s is not a date we can read."), text=repr(text)),
            )
        elif np.datetime64(day, "s") > today:
            code, message = "date_in_future", Text(gettext_noop("%(date)s is in the future."), date=day.isoformat())
        else:
            code, message = (
                "date_too_early",
                Text(
                    gettext_noop("%(date)s is before December 2019, when COVID-19 data begin."),
                    date=day.isoformat(),
                ),
            )
        where = np.unique(grouped_rows.get(index, np.zeros(0, dtype="int64")))
        if ctx.problems.over_cap(code, "error", where):
            continue
        entry = problem(code, message, column=column, value=text, sheet=sheet or None)
        ctx.problems.add(entry, rows=where.tolist())
    for sheet, indexes in mixed.items():
        reading = readings[sheet]
        column = (plans[sheet].date_column if sheet in plans else None) or "date"
        examples = [texts[i].strip() for i in indexes]
        formats = sorted({reading.others[t] for t in examples})
        fitting = next((t for t, d in reading.dates.items() if d), "")
        where = np.unique(np.concatenate([grouped_rows.get(i, np.zeros(0, dtype="int64")) for i in indexes]))
        ctx.problems.add(
            problem(
                "date_formats_mixed",
                Text(
                    gettext_noop(
                        "Column %(column)s mixes date formats: its dates read as %(format)s (%(fitting)s), but "
                        "%(count)s read only as %(formats)s (%(examples)s). Every date of a column must be written "
                        "the same way: fix the file, or choose the date format in the mapping."
                    ),
                    column=repr(column),
                    format=str(reading.format),
                    fitting=repr(fitting),
                    count=f"{len(examples):,}",
                    formats=" or ".join(formats),
                    examples=", ".join(map(repr, examples[:5])) + (", ..." if len(examples) > 5 else ""),
                ),
                column=column,
                value=examples[0],
                sheet=sheet or None,
            ),
            rows=where.tolist(),
        )
