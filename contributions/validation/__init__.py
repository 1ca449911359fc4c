"""Turn a parsed upload into one normalised long frame and a report volunteers can act on.

Contract (the upload task, the API, review and merge rely on it; keep it stable):

    validate(parsed, *, mapping=None, recipe=None, default_country=None, today=None) -> ValidationResult

- `parsed`: a `contributions.parsing.ParsedFile`.
- `mapping`: the volunteer's column mapping (JSON dict, see MAPPING_KEYS); it wins over `recipe`,
  a `sources.models.SourceRecipe` (or a plain dict) saved from an earlier approved upload.
- `default_country`: the submission's country (`Location`, key or None): names are looked up
  inside it, and it is the suggested constant location when a file has no location column.
- `today`: the date after which values are "in the future" (default: today, UTC).

`ValidationResult.frame` is the normalised long DataFrame, one row per value, columns
`location_id` (int64), `location_key`, `metric_id` (int64), `metric` (the code),
`date` (datetime64[s]), `value` (float64), `row` (int64, 1-based row in the file or sheet; for a
value summed from several rows, the first), `sheet` ("" for CSV/JSON). `location_key`, `metric`
and `sheet` are categoricals of str (a million rows share a few hundred names). It holds only valid
rows, sorted by location_id, metric_id and date. `.report` is JSON-serialisable:

    {"valid": bool, "needs_mapping": {"needed": bool, "reasons": [{"code", "message"}...],
     "suggested": {mapping}}, "detected": {file detection + per-sheet layout, columns and roles},
     "mapping": {the mapping applied, with the detected layout}, "layout": "long" | "wide_metric" |
     "wide_date" | "mixed" (sheets differ) | "", "rows": {"source": n, "values": n},
     "counts": {code: affected rows}, "errors": n, "warnings": n,
     "problems": [{severity, code, message, row, column, value, sheet[, rows, row_count, suggestions]}...],
     "problems_truncated": bool}

`.problems` is a DataFrame with one line per affected source row (row, sheet, severity, code,
column, value, message): what the "download the rows with an error column" CSV is made from.
`.keys` holds the frame's observation keys (see observation_keys), for compute_diff; None when the
result is not valid. `.is_valid` is False when there is any error or a mapping is needed.
`.write_parquet(path)` stores the frame so review and merge never parse the file again.

Big files (from common.parallel.MIN_ROWS rows) have some column passes run side by side in threads
and text columns made of long runs hashed once per run; the result is the same as for small files
(tests/contributions/test_validation.py runs one file both ways).

Problem codes. Errors (block): every parsing error (see parsing.py: empty_file, unsupported_type,
binary_file, encoding_error, mixed_encoding, unsupported_encoding, unterminated_quote,
line_too_long, too_many_columns, too_many_rows, duplicate_columns, no_data_rows, single_column,
wrong_field_count, invalid_json, json_wrong_shape, corrupt_xlsx, zip_bomb, xml_entities_refused,
macros_refused, formula_without_value, file_too_large, unreadable, bad_mapping),
needs_mapping, bad_mapping, unknown_location, ambiguous_location, partial_aggregate,
unknown_metric, date_unparseable, date_in_future, date_too_early, value_not_numeric,
value_not_finite, value_exponent, formula_in_cell (CSV/JSON: a formula where a value belongs),
conflicting_duplicate, no_values, validation_failed (a bug of ours, logged).
Warnings (inform the reviewer): title_row_skipped,
formula_in_cell (XLSX with saved results), empty_sheet, sheet_skipped, duplicate_row,
negative_value, cumulative_decrease, implausible_jump, sublocations_aggregated,
sublocations_ignored, location_ignored, empty_values, bad_mapping (unknown mapping keys).
(Values identical to the canonical ones are counted by diff.py: `identical_to_canonical`.)

needs_mapping reasons (report["needs_mapping"]["reasons"][i]["code"]): layout_unknown,
no_date_column, no_location_column, no_metric, no_metric_column, no_metric_columns,
ambiguous_metric_columns, ambiguous_date_format, unknown_sublocations.

"unknown_sublocations": a row whose most specific place (say a US county) is unknown while the
place above it (its state, from another column of the same row) is known. With "aggregate",
every row under such a place is added up into it, so totals stay right (US counties become
state totals; if a country has an unknown region, the whole country is summed); if the file also
gives that place directly, that is a `partial_aggregate` error rather than a double count.

Mapping keys (MAPPING_KEYS; all optional; saved as SourceRecipe.mapping):
    layout: "long" | "wide_metric" | "wide_date"
    date_column: column name;  date_format: strptime format ("%d/%m/%Y");  date: constant "YYYY-MM-DD"
    location_columns: [columns, most general first] (country, region, subregion);
    location: constant location key;  sheet_as_location: bool (each sheet's name is its location)
    locations: {text in the file, or "Parent / text": location key, or "" to leave those rows out}
    location_schemes: {location column: alias scheme} ("istat" for codice_regione, guessed from the name)
    unknown_sublocations: "error" (default) | "aggregate" (add them up into the place above:
        US counties into their state) | "ignore" (leave them out, with a warning)
    metric_column, value_column: for long files
    metrics: {column: metric code or ""} (wide_metric: columns given the same code are added up)
             or {text in the metric column: metric code or ""} (long)
    metric: metric code for a wide-by-date file (else guessed from the file name)
    ignore: [columns];  sheets: [sheet names to read];  encoding, delimiter, decimal, thousands (parsing)
"""
import datetime as dt
import difflib
import logging
import re
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.db import DatabaseError
from django.utils import timezone

from common import parallel
from dataset.snapshots import LOCATION_SHIFT, METRIC_SHIFT
from places.models import Location, Metric, normalise_name
from places.resolver import AmbiguousLocation, LocationResolver, Place

from ..columns import METRIC_NAMES, classify_column, metric_for_name, metric_in_text
from ..parsing import ParsedFile, problem

logger = logging.getLogger(__name__)
EARLIEST_DATE = dt.date(2019, 12, 1)
MAX_REPORTED_PER_CODE = 200
MAX_DISTINCT = 200  # distinct unknown names, bad dates... reported one by one
MAPPING_KEYS = {
    "layout", "date_column", "date_format", "date", "location_columns", "location", "sheet_as_location",
    "locations", "location_schemes", "unknown_sublocations", "metric_column", "value_column", "metrics", "metric",
    "ignore", "sheets",
    "encoding", "delimiter", "decimal", "thousands",
}
LAYOUTS = ("long", "wide_metric", "wide_date")
FRAME_COLUMNS = ["location_id", "location_key", "metric_id", "metric", "date", "value", "row", "sheet"]
SHEET_FILLER_WORDS = {"daily", "covid", "covid19", "19", "cases", "case", "data", "sheet", "per", "day", "total",
                      "new", "confirmed", "deaths", "stats", "statistics", "report", "casi", "casos", "dati", "datos"}
# Columns whose codes belong to a scheme of LocationAlias (see dataset/locations.py).
LOCATION_SCHEMES = {"codice regione": "istat", "fips": "fips"}
# How a row's location was found (int8 codes, to keep a million rows light).
DIRECT, AGGREGATED, IGNORED, UNPLACED, ERROR = 0, 1, 2, 3, 4
JUMP_FACTOR = 10
PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"  # a value as we accept it (after separators are normalised)
JUMP_MIN_INCREASE = 1000


@dataclass
class ValidationResult:
    frame: pd.DataFrame
    report: dict
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    keys: np.ndarray | None = None  # observation_keys of frame's rows, for compute_diff (None: not known)

    @property
    def is_valid(self) -> bool:
        return self.report["valid"]

    def write_parquet(self, path) -> None:
        """Store the normalised frame (pyarrow, no index)."""
        self.frame.to_parquet(path, index=False)


PROBLEM_COLUMNS = ["row", "sheet", "severity", "code", "column", "value", "message"]


# --- problems ------------------------------------------------------------------------------------

class Problems:
    """Collects problems: grouped ones for the report and one line per affected row for the CSV."""

    def __init__(self):
        self.entries: list[dict] = []
        self.single: list[dict] = []  # one affected row each (or none)
        self.grouped: list[tuple[dict, list]] = []  # (entry, rows)
        self.distinct: dict[str, int] = {}
        self.overflow: dict[tuple, list] = {}
        self.row_parts: list[pd.DataFrame] = []

    def add(self, entry: dict, rows=None):
        """One problem; `rows` (sequence of ints) when it stands for several source rows."""
        if rows is not None:
            rows = [int(r) for r in rows]
            entry["rows"] = rows[:50]
            entry["row_count"] = len(rows)
            entry["row"] = rows[0] if rows else entry.get("row")
            self.grouped.append((entry, rows))
        else:
            self.single.append(entry)
        self.entries.append(entry)

    def over_cap(self, code: str, severity: str, rows) -> bool:
        """True (and the rows kept for one summary) once MAX_DISTINCT distinct values had this problem:
        a file with a million different bad names must not cost a million report entries."""
        self.distinct[code] = self.distinct.get(code, 0) + 1
        if self.distinct[code] <= MAX_DISTINCT:
            return False
        self.overflow.setdefault((code, severity), []).append(np.asarray(rows, dtype="int64"))
        return True

    def flush(self):
        for (code, severity), parts in self.overflow.items():
            rows = np.unique(np.concatenate(parts))
            self.add(problem(code, f"... and {len(parts):,} more distinct values with this problem "
                             f"({len(rows):,} rows); fix the ones above first.", severity=severity), rows=rows)
        self.overflow = {}

    def add_rows(self, code, severity, message, frame: pd.DataFrame, *, column=None, value_column="raw_value"):
        """One problem per row of `frame` (vectorised): frame has row, sheet and the raw value."""
        if frame.empty:
            return
        self.add_records(
            code, severity, rows=frame["row"].tolist(), sheets=frame["sheet"].astype(str).tolist(),
            columns=frame["column"].astype(str).tolist() if column is None else [column] * len(frame),
            values=frame[value_column].astype(str).str.slice(0, 200).tolist(),
            messages=[message] * len(frame) if isinstance(message, str) else message.astype(str).tolist())

    def add_records(self, code, severity, *, rows: list, sheets: list, columns: list, values: list,
                    messages: list):
        """One problem per source row, given as lists of the same length."""
        if not rows:
            return
        self.row_parts.append(pd.DataFrame({
            "row": pd.array(rows, dtype="Int64"), "sheet": sheets, "severity": severity, "code": code,
            "column": columns, "value": values, "message": messages}))
        head = slice(0, MAX_REPORTED_PER_CODE)
        for row, sheet, column, value, text in zip(rows[head], sheets[head], columns[head], values[head],
                                                   messages[head], strict=True):
            self.entries.append(problem(code, text, severity=severity, row=int(row), column=column, value=value,
                                        sheet=sheet or None))
        if len(rows) > MAX_REPORTED_PER_CODE:
            self.entries.append({**problem(code, f"{len(rows):,} rows in all have this problem; the first "
                                           f"{MAX_REPORTED_PER_CODE} are listed.", severity=severity),
                                 "row_count": len(rows), "summary": True})

    def frame(self) -> pd.DataFrame:
        parts = list(self.row_parts)
        if self.single:
            parts.append(pd.DataFrame(self.single).reindex(columns=PROBLEM_COLUMNS))
        if self.grouped:
            entries = [e for e, rows in self.grouped for _ in (rows or [None])]
            rows = [r for _, rs in self.grouped for r in (rs or [None])]
            part = pd.DataFrame(entries).reindex(columns=PROBLEM_COLUMNS)
            part["row"] = rows
            parts.append(part)
        if not parts:
            return pd.DataFrame(columns=PROBLEM_COLUMNS)
        out = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(
            not p.empty for p in parts) else pd.DataFrame(columns=PROBLEM_COLUMNS)
        out = out[PROBLEM_COLUMNS]
        out["row"] = out["row"].astype("Int64")
        for column in ("sheet", "column", "value"):
            out[column] = out[column].fillna("").astype(str)
        return out

    @property
    def has_errors(self) -> bool:
        return any(e["severity"] == "error" for e in self.entries)


def rows_by_code(codes: np.ndarray, rows: np.ndarray) -> dict[int, np.ndarray]:
    """Source rows grouped by factorize code, computed once instead of one mask per code."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    bounds = np.flatnonzero(np.diff(sorted_codes)) + 1
    groups = np.split(rows[order], bounds)
    keys = sorted_codes[np.concatenate(([0], bounds))] if len(sorted_codes) else []
    return dict(zip((int(k) for k in keys), groups, strict=False))


# --- dates ---------------------------------------------------------------------------------------

DATE_FORMATS = [
    "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y", "%d.%m.%y", "%m/%d/%y", "%m/%d/%Y", "%d/%m/%Y", "%d/%m/%y",
    "%d-%m-%Y", "%m-%d-%Y", "%d-%m-%y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y",
]
# Pairs of formats that read the same text differently; both fitting every value is ambiguous.
DAY_MONTH_PAIRS = [("%m/%d/%y", "%d/%m/%y"), ("%m/%d/%Y", "%d/%m/%Y"), ("%m-%d-%Y", "%d-%m-%Y")]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


def _one_date(text: str, fmt: str | None) -> dt.date | None:
    if fmt is not None:
        try:
            return dt.datetime.strptime(text, fmt).date()
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
    dates: dict  # text -> date or None
    format: str | None
    ambiguous: tuple | None = None


def read_dates(texts, date_format: str | None = None) -> DateReading:
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


# --- planning a sheet ----------------------------------------------------------------------------

@dataclass
class Plan:
    sheet: str
    layout: str | None = None
    date_column: str | None = None
    date_constant: dt.date | None = None
    date_columns: list = field(default_factory=list)  # wide_date: headers that are dates
    location_columns: list = field(default_factory=list)
    location_constant: Place | None = None
    metric_columns: dict = field(default_factory=dict)  # wide_metric: column -> code
    metric_column: str | None = None
    value_column: str | None = None
    metric: str | None = None  # wide_date
    roles: dict = field(default_factory=dict)
    unused: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    suggested: dict = field(default_factory=dict)

    def need(self, code, message, **suggested):
        self.reasons.append({"code": code, "message": message, "sheet": self.sheet or None})
        self.suggested.update(suggested)

    def describe(self) -> dict:
        return {
            "sheet": self.sheet, "layout": self.layout, "date_column": self.date_column,
            "date": self.date_constant.isoformat() if self.date_constant else None,
            "location_columns": self.location_columns,
            "location": self.location_constant.key if self.location_constant else None,
            "metric_columns": self.metric_columns, "metric_column": self.metric_column,
            "value_column": self.value_column, "metric": self.metric,
            "date_columns": len(self.date_columns), "roles": self.roles, "unused_columns": self.unused,
        }


def _header_is_date(header: str) -> bool:
    text = header.strip()
    if ISO_PREFIX.match(text) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return True
    if EXCEL_SERIAL.match(text):
        return 20000 <= float(text) <= 80000
    return bool(re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text))


def _sheet_location(resolver: LocationResolver, name: str) -> Place | None:
    """The place a sheet's name stands for ("USA daily covid" -> US), or None."""
    for text in (name, " ".join(w for w in normalise_name(name).split() if w not in SHEET_FILLER_WORDS)):
        if not text:
            continue
        try:
            place = resolver.resolve(text)
        except AmbiguousLocation:
            place = None
        if place is not None:
            return place
    return None


class Context:
    """What every step needs: the mapping, reference data and where problems go."""

    def __init__(self, parsed, mapping, default_country, today):
        self.parsed = parsed
        self.mapping = mapping
        self.today = today
        self.problems = Problems()
        self.resolver = LocationResolver.current()
        self.metrics = {code: (pk, kind) for pk, code, kind in Metric.objects.values_list("id", "code", "kind")}
        self.country = None
        if isinstance(default_country, Location):
            self.country = self.resolver.places.get(default_country.pk)
        elif default_country:
            self.country = self.resolver.get(str(default_country))


def plan_sheet(ctx: Context, sheet) -> Plan:
    """Decide layout, date, location and metric columns from the mapping, or detect them."""
    m = ctx.mapping
    plan = Plan(sheet=sheet.name)
    ignore = set(m.get("ignore") or [])
    columns = [c for c in sheet.header if c not in ignore]
    guesses = {c: classify_column(c) for c in columns}
    plan.roles = {c: (g.metric if g.role == "metric_column" else g.role) for c, g in guesses.items()}
    date_headers = [c for c in columns if _header_is_date(c)]

    layout = m.get("layout")
    if layout and layout not in LAYOUTS:
        ctx.problems.add(problem("bad_mapping", f"Unknown layout {layout!r}: use long, wide_metric or wide_date."))
        return plan
    has = {role: [c for c, g in guesses.items() if g.role == role and c not in date_headers] for role in
           ("date", "country", "region", "subregion", "location", "metric", "value", "metric_column")}
    if not layout:
        if len(date_headers) >= 3:
            layout = "wide_date"
        elif (m.get("metric_column") or has["metric"]) and (m.get("value_column") or has["value"]):
            layout = "long"
        elif has["metric_column"] or m.get("metrics"):
            layout = "wide_metric"
    plan.layout = layout
    if not layout:
        plan.need("layout_unknown", "No column looks like a metric (confirmed, deaths...), a date or a value: "
                  "say which column holds what.", layout="wide_metric")
        return plan

    # Date
    if layout == "wide_date":
        plan.date_columns = date_headers
    elif m.get("date_column"):
        if m["date_column"] not in sheet.header:
            ctx.problems.add(problem("bad_mapping", f"The date column {m['date_column']!r} is not in the file.",
                                     sheet=sheet.name or None, column=m["date_column"]))
        plan.date_column = m["date_column"]
    elif m.get("date"):
        try:
            plan.date_constant = dt.date.fromisoformat(str(m["date"]))
        except ValueError:
            ctx.problems.add(problem("bad_mapping", f"The constant date {m['date']!r} is not a date (YYYY-MM-DD)."))
    elif has["date"]:
        plan.date_column = has["date"][0]
    else:
        guess = date_in_filename(ctx.parsed.filename)
        plan.need("no_date_column", "The file has no date column: give the date the figures are for"
                  + (f" (the file name suggests {guess.isoformat()})." if guess else "."),
                  **({"date": guess.isoformat()} if guess else {}))

    # Location
    if m.get("location_columns"):
        wanted = m["location_columns"]
        plan.location_columns = [wanted] if isinstance(wanted, str) else list(wanted)
        missing = [c for c in plan.location_columns if c not in sheet.header]
        if missing:
            ctx.problems.add(problem("bad_mapping", f"Location column(s) {missing} are not in the file.",
                                     sheet=sheet.name or None))
            plan.location_columns = [c for c in plan.location_columns if c in sheet.header]
    elif m.get("location"):
        plan.location_constant = ctx.resolver.get(m["location"])
        if plan.location_constant is None:
            ctx.problems.add(problem("bad_mapping", f"There is no location with the key {m['location']!r}."))
    elif m.get("sheet_as_location") and sheet.name:
        plan.location_constant = _sheet_location(ctx.resolver, sheet.name)
        if plan.location_constant is None:
            ctx.problems.add(problem("unknown_location", f"The sheet name {sheet.name!r} is not a known location; "
                                     "map it in 'locations' or choose a constant location.", sheet=sheet.name,
                                     value=sheet.name), rows=None)
    else:
        plan.location_columns = has["location"][:1] or (has["country"][:1] + has["region"][:1] + has["subregion"][:1])
        if not plan.location_columns:
            place = _sheet_location(ctx.resolver, sheet.name) if sheet.name else None
            if place is not None and len(ctx.parsed.sheets) > 1:
                plan.location_constant = place
            else:
                suggestion = {"location": ctx.country.key} if ctx.country else {}
                plan.need("no_location_column", "The file has no location column: give the location the "
                          "figures are for" + (f" ({ctx.country.name}?)." if ctx.country else "."), **suggestion)

    # Metrics and values
    if layout == "wide_date":
        plan.metric = m.get("metric") or metric_in_text(ctx.parsed.filename) or metric_in_text(sheet.name)
        if not plan.metric:
            plan.need("no_metric", "A file with one column per date holds one metric: say which (confirmed, "
                      "deaths...); the file name does not tell.")
        elif plan.metric not in ctx.metrics:
            ctx.problems.add(problem("unknown_metric", f"{plan.metric!r} is not a known metric code.",
                                     value=plan.metric))
    elif layout == "long":
        plan.metric_column = m.get("metric_column") or (has["metric"] or [None])[0]
        plan.value_column = m.get("value_column") or (has["value"] or [None])[0]
        if not plan.metric_column or not plan.value_column:
            plan.need("no_metric_column", "A long file needs a metric column and a value column: say which.")
    else:
        if m.get("metrics"):
            plan.metric_columns = {c: code for c, code in m["metrics"].items() if code}
            for column, code in plan.metric_columns.items():
                if column not in sheet.header:
                    ctx.problems.add(problem("bad_mapping", f"The column {column!r} is not in the file.",
                                             column=column, sheet=sheet.name or None))
                if code not in ctx.metrics:
                    ctx.problems.add(problem("unknown_metric", f"{code!r} is not a known metric code (known: "
                                             f"{', '.join(sorted(ctx.metrics))}).", column=column, value=code,
                                             sheet=sheet.name or None))
            plan.metric_columns = {c: code for c, code in plan.metric_columns.items() if c in sheet.header}
        else:
            by_metric = {}
            for column, g in guesses.items():
                if g.role == "metric_column" and g.metric in ctx.metrics:
                    by_metric.setdefault(g.metric, []).append((column, g.sure))
            for code, found in by_metric.items():
                sure = [c for c, s in found if s]
                chosen = sure[:1] if sure else [c for c, _ in found]
                if len(sure) > 1 or (not sure and len(chosen) > 1):
                    chosen = sure or chosen
                    plan.need("ambiguous_metric_columns", f"Columns {', '.join(map(repr, chosen))} all look like "
                              f"{code}: they will be added up unless you map one of them to nothing.",
                              metrics=None)
                for column in chosen:
                    plan.metric_columns[column] = code
            if not plan.metric_columns:
                plan.need("no_metric_columns", "No column is a metric we know: map columns to metrics.")
        if plan.reasons and any(r["code"] == "ambiguous_metric_columns" for r in plan.reasons):
            plan.suggested["metrics"] = dict(plan.metric_columns)
    used = set(plan.location_columns) | set(plan.metric_columns) | set(plan.date_columns)
    used |= {c for c in (plan.date_column, plan.metric_column, plan.value_column) if c}
    plan.unused = [c for c in columns if c not in used and guesses[c].role != "ignore"]
    if not plan.reasons:
        plan.suggested = {}
    return plan


# --- normalising ---------------------------------------------------------------------------------

def _category(codes, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes), categories=pd.Index(list(categories), dtype=object))


def _constant(value, n: int) -> pd.Categorical:
    return _category(np.zeros(n, dtype="int8"), [value])


def encode(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct stripped texts of a column (categorical or strings), without a Python loop per row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), [str(u) for u in values.cat.categories]
    elif isinstance(values.array, pd.arrays.ArrowStringArray) and not values.hasnans:
        codes, uniques = _arrow_codes(pa.array(values.array))
    else:
        codes, found = pd.factorize(values)
        uniques = [str(u) for u in found]
    stripped = [u.strip() for u in uniques]
    if stripped != uniques:
        remap, merged = pd.factorize(pd.Series(stripped, dtype=object))
        return remap[codes], [str(u) for u in merged]
    return np.asarray(codes), uniques


RUNS_FROM_ROWS = 100_000  # columns this long are checked for runs of equal texts
RUNS_PROBE = 10_000


def _arrow_codes(texts: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """int32 codes and distinct texts with Arrow's hash kernel (pandas would widen codes to int64).

    A column made of long runs of the same text (the place or the metric of a long file sorted by
    them) is hashed once per run: finding the runs is a cheaper pass than hashing every row."""
    starts = None
    if len(texts) >= RUNS_FROM_ROWS:
        probe = texts[:RUNS_PROBE]
        if pc.sum(pc.not_equal(probe[1:], probe[:-1])).as_py() < RUNS_PROBE // 16:
            changes = pc.not_equal(texts[1:], texts[:-1]).to_numpy(zero_copy_only=False)
            starts = np.flatnonzero(changes)
            starts += 1
            starts = np.concatenate(([0], starts)) if len(starts) < len(texts) // 16 else None
    encoded = pc.dictionary_encode(texts if starts is None else texts.take(pa.array(starts)))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.to_numpy()
    if starts is not None:
        codes = np.repeat(codes, np.diff(np.append(starts, len(texts))))
    return codes, [str(u) for u in encoded.dictionary.to_pylist()]


def _long_rows(sheet, plan: Plan) -> pd.DataFrame:
    """Raw values in long form: loc0.., metric, date (categorical texts), raw_value (strings), column,
    row, sheet and group (rows of summed columns share a group)."""
    frame = sheet.frame
    n = len(frame)
    if plan.layout == "long":
        value_columns = [plan.value_column]
    elif plan.layout == "wide_date":
        value_columns = plan.date_columns
    else:
        value_columns = list(plan.metric_columns)
    if not value_columns or not n:
        return pd.DataFrame()
    k = len(value_columns)
    out = {}
    text_columns = [*plan.location_columns, plan.date_column, plan.metric_column if plan.layout == "long" else None]
    encoding = {column: parallel.submit(encode, frame[column], rows=n) for column in text_columns if column}

    def repeated(column):
        codes, uniques = encoding[column].result()
        return _category(codes if k == 1 else np.tile(codes, k), uniques)

    for i, column in enumerate(plan.location_columns):
        out[f"loc{i}"] = repeated(column)
    if plan.date_column:
        out["date"] = repeated(plan.date_column)
    elif plan.date_constant is not None:
        out["date"] = _constant(plan.date_constant.isoformat(), n * k)
    else:  # wide_date: the header is the date
        out["date"] = _category(np.repeat(np.arange(k), n), value_columns)
    source_rows = frame.index.to_numpy(dtype="int64")
    out["row"] = source_rows if k == 1 else np.tile(source_rows, k)
    if k == 1:
        out["raw_value"] = frame[value_columns[0]].array
        out["column"] = _constant(value_columns[0], n)
    else:
        out["raw_value"] = pd.array(frame[value_columns].to_numpy(dtype=object).ravel(order="F"), dtype="str")
        out["column"] = _category(np.repeat(np.arange(k), n), value_columns)
    if plan.layout == "long":
        out["metric"] = repeated(plan.metric_column)
    elif plan.layout == "wide_date":
        out["metric"] = _constant(plan.metric, n * k)
    else:
        metrics = list(dict.fromkeys(plan.metric_columns.values()))
        out["metric"] = _category(np.repeat([metrics.index(plan.metric_columns[c]) for c in value_columns], n),
                                  metrics)
    result = pd.DataFrame(out, copy=False)  # no copy into 2-D blocks: a million rows
    counts = pd.Series(list(plan.metric_columns.values())).value_counts() if plan.layout == "wide_metric" else None
    multi = set(counts[counts > 1].index) if counts is not None else set()
    result["group"] = np.where(result["metric"].isin(multi), result["row"], 0) if multi else np.zeros(n * k, "int8")
    result["sheet"] = _constant(sheet.name, n * k)
    return result


def _plain_numbers(texts: pa.Array, digits: pa.Array | None = None) -> pa.Array:
    """Which texts are plain decimal numbers: digits with an optional sign and decimal point.

    Most value columns hold whole numbers only: those are recognised by a check for ASCII digits
    (`digits`, when the caller has it already), and the regular expression (several times slower)
    runs only on the other texts."""
    ok = (pc.ascii_is_decimal(texts) if digits is None else digits).to_numpy(zero_copy_only=False)
    rest = np.flatnonzero(~ok)
    if len(rest):
        ok[rest] = pc.match_substring_regex(
            texts.take(pa.array(rest)), PLAIN_NUMBER).to_numpy(zero_copy_only=False)
    return pa.array(ok)


def _plain_values(parsed, raw: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """float64 values when every cell is a plain decimal number (most value columns), else None.

    Then one cast does it, with no copies of the texts: whole numbers are recognised by their
    digits, and only the few other cells (negative or fractional values) go through the regular
    expression."""
    if parsed.decimal != "." or not len(raw):
        return None
    digits = pc.ascii_is_decimal(raw)
    others = len(raw) - (pc.sum(digits).as_py() or 0)
    if digits.null_count or others > len(raw) // 10:
        return None
    if others and not pc.all(_plain_numbers(raw, digits)).as_py():
        return None
    try:
        return pc.cast(raw, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:  # a form Arrow reads differently: the careful path decides
        return None


def _parse_values(ctx: Context, rows: pd.DataFrame, raw, plain: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN where empty or bad) and the mask of empty cells; bad cells are reported.

    `raw` is the value column as Arrow strings, `plain` what _plain_values made of it."""
    parsed = ctx.parsed
    if plain is not None:
        return plain, np.zeros(len(plain), dtype=bool)
    trimmed = pc.utf8_trim_whitespace(raw)
    empty = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
    cleaned = trimmed
    if parsed.thousands:
        cleaned = pc.replace_substring(cleaned, parsed.thousands, "")
    if parsed.decimal == ",":
        cleaned = pc.replace_substring(cleaned, ",", ".")
    ok = _plain_numbers(cleaned)
    numbers = pc.cast(pc.if_else(ok, cleaned, pa.scalar(None, cleaned.type)), pa.float64())
    values = numbers.to_numpy(zero_copy_only=False).astype("float64")
    bad = ~ok.to_numpy(zero_copy_only=False) & ~empty
    if bad.any():
        text = pd.Series(trimmed.to_pylist() if len(trimmed) < 1000 else trimmed.to_pandas(), dtype="str")
        spaced = text[bad].str.replace(r"(?<=\d)[ \u00a0'’](?=\d{3}\b)", "", regex=True)
        fixable = spaced.str.fullmatch(r"[+-]?\d+").to_numpy(dtype=bool)
        fixed = np.flatnonzero(bad)[fixable]
        values[fixed] = spaced[fixable].astype("float64").to_numpy()
        bad[fixed] = False
    if bad.any():
        wrong = rows.loc[bad, ["row", "sheet", "column", "raw_value"]].astype({"sheet": "str", "column": "str"})
        lower = text[bad].str.lower().set_axis(wrong.index)
        kinds = {
            "value_not_finite": lower.str.fullmatch(r"[+-]?(nan|inf|infinity|-nan)"),
            "value_exponent": lower.str.fullmatch(r"[+-]?\d+(\.\d+)?e[+-]?\d+"),
            "formula_in_cell": lower.str.match(r"^[=@]"),
        }
        messages = {
            "value_not_finite": "is not a number (NaN or infinity); leave the cell empty when there is no value.",
            "value_exponent": "is in exponent notation, which loses digits; export the column as whole numbers.",
            "formula_in_cell": "is a formula, not a value; paste values instead of formulas.",
        }
        seen = pd.Series(False, index=wrong.index)
        kinds = {code: match.fillna(False).astype(bool) for code, match in kinds.items()}
        for code, match in kinds.items():
            match = match & ~seen
            seen |= match
            subset = wrong[match]
            ctx.problems.add_rows(code, "error", "The value " + subset["raw_value"].astype(str).str.slice(0, 40)
                                  .map(repr) + " " + messages[code], subset)
        subset = wrong[~seen]
        ctx.problems.add_rows("value_not_numeric", "error", "The value " + subset["raw_value"].astype(str)
                              .str.slice(0, 40).map(repr) + " is not a number.", subset)
    return values, empty


def _resolve_dates(ctx: Context, rows: pd.DataFrame, plans: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code and, per code, the datetime64[s] date (NaT when wrong); unparseable, future and
    too early dates are reported once per text."""
    codes, uniques = encode(rows["date"])
    reading = read_dates(uniques, ctx.mapping.get("date_format"))
    if reading.ambiguous and not ctx.mapping.get("date_format"):
        first, second = reading.ambiguous
        ctx.needs.append({"code": "ambiguous_date_format", "message": f"Dates such as {uniques[0]!r} can be read "
                          f"as {first} or {second}; say which the file uses.", "sheet": None})
        ctx.suggested["date_format"] = first
    parsed = [reading.dates.get(u) for u in uniques]
    as_np = np.array([d or "NaT" for d in parsed], dtype="datetime64[D]").astype("datetime64[s]")
    today = np.datetime64(ctx.today, "s")
    earliest = np.datetime64(EARLIEST_DATE, "s")
    grouped_rows = None
    for index in np.flatnonzero(np.isnat(as_np) | (as_np > today) | (as_np < earliest)).tolist():
        text, day = uniques[index], parsed[index]
        if day is None:
            code, message = "date_unparseable", f"{text!r} is not a date we can read" + (
                f" (the file's dates look like {reading.format})." if reading.format else ".")
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
        ctx.problems.add(problem(code, message, row=int(where["row"].iloc[0]), column=column, value=text,
                                 sheet=where["sheet"].iloc[0] or None), rows=where["row"].tolist())
    valid = as_np.copy()
    valid[(as_np > today) | (as_np < earliest)] = np.datetime64("NaT")
    return codes, valid


def _walk_location(ctx: Context, texts: list[str], manual: dict, schemes: list):
    """Resolve one row's location texts, most general first.

    Returns (chain, failed, ignored): the places found, in hierarchy (a territory listed under its
    sovereign country starts a new chain); failed = (text, scope, why, is_unknown_sublocation) or None."""
    scope, chain = ctx.country, []
    filled = [i for i, t in enumerate(texts) if t]
    for i in filled:
        text = texts[i]
        path = normalise_name(" ".join(texts[j] for j in filled if j <= i))
        name = path if path in manual else normalise_name(text)
        if name in manual:
            key = manual[name]
            if not key:
                return chain, None, True
            place = ctx.resolver.get(key)
            if place is None:
                why = f"the mapping sends it to {key!r}, which is not a location key"
                return chain, (text, scope, why, False), False
        else:
            try:
                place = ctx.resolver.resolve(text, scope=scope, scheme=schemes[i] if i < len(schemes) else None)
            except AmbiguousLocation as exc:
                return chain, (text, scope, "ambiguous: " + ", ".join(p.label for p in exc.places[:5]), False), False
        if place is None:
            return chain, (text, scope, None, bool(chain) and i == filled[-1]), False
        if scope is not None and place.id == scope.id:
            continue  # "Hong Kong" under Hong Kong: the place itself
        if scope is not None and not ctx.resolver.is_inside(place, scope):
            chain = []
        chain.append(place)
        scope = place
    return chain, None, False


def _resolve_locations(ctx: Context, rows: pd.DataFrame, plans: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's code and, per code, the location_id (-1 when unknown) and how the place was found;
    unknown names reported once each."""
    loc_columns = sorted(c for c in rows.columns if c.startswith("loc"))
    manual = {normalise_name(k): v for k, v in (ctx.mapping.get("locations") or {}).items()}
    policy = ctx.mapping.get("unknown_sublocations", "error")
    if not loc_columns:
        codes, sheets = encode(rows["sheet"])
        ids = np.array([plans[name].location_constant.id if name in plans and plans[name].location_constant else -1
                        for name in sheets], dtype="int64")
        return codes, ids, np.zeros(len(ids), dtype="int8")
    encoded = [encode(rows[c]) for c in loc_columns]
    if len(encoded) == 1:
        codes, uniques = encoded[0]
    else:
        combined = np.zeros(len(rows), dtype="int64")
        for column_codes, texts in encoded:
            combined = combined * (len(texts) + 1) + column_codes
        codes, keys = pd.factorize(combined)
        uniques = []
        for key in keys:
            parts = []
            for _, texts in reversed(encoded):
                key, digit = divmod(int(key), len(texts) + 1)
                parts.append(texts[digit])
            uniques.append("\x1f".join(reversed(parts)))
    outcome_id, outcome_mode = np.full(len(uniques), -1, dtype="int64"), np.full(len(uniques), ERROR, dtype="int8")
    unknown: dict[tuple, list] = {}
    first_plan = next((p for p in plans.values() if p.location_columns), None)
    schemes = [LOCATION_SCHEMES.get(normalise_name(c)) for c in first_plan.location_columns] if first_plan else []
    for column, scheme in (ctx.mapping.get("location_schemes") or {}).items():
        if first_plan and column in first_plan.location_columns:
            schemes[first_plan.location_columns.index(column)] = scheme
    walked = [_walk_location(ctx, joined.split("\x1f"), manual, schemes) for joined in uniques]
    # A place is incomplete when the file names a place inside it that we do not know.
    incomplete = {chain[-1].id for chain, failed, _ in walked if failed and failed[3]}
    for index, (chain, failed, ignored) in enumerate(walked):
        if ignored:
            outcome_mode[index] = IGNORED
            continue
        if failed and not (failed[3] and policy in ("aggregate", "ignore")):
            text, parent, why, _ = failed
            unknown.setdefault((text, parent.key if parent else None, why), []).append(index)
            if failed[3]:
                ctx.sublocations_unknown = True
            continue
        if failed and policy == "ignore":
            outcome_mode[index] = UNPLACED
            continue
        if not chain:
            if ctx.country is not None:
                outcome_id[index], outcome_mode[index] = ctx.country.id, DIRECT
            continue
        target = chain[-1]
        if policy == "aggregate":
            target = next((p for p in chain if p.id in incomplete), chain[-1])
        outcome_id[index] = target.id
        outcome_mode[index] = AGGREGATED if (failed or target.id != chain[-1].id) else DIRECT
    ctx.incomplete_given_directly = any(
        chain and not failed and chain[-1].id in incomplete for chain, failed, _ in walked)
    grouped_rows = rows_by_code(codes, rows["row"].to_numpy()) if unknown else {}
    for (text, parent_key, why), indexes in unknown.items():
        where_rows = np.unique(np.concatenate([grouped_rows[i] for i in indexes]))
        if parent_key and parent_key != (ctx.country.key if ctx.country else None) and not why:
            ctx.sublocations_unknown = True
        if ctx.problems.over_cap("unknown_location", "error", where_rows):
            continue
        first = int(np.flatnonzero(np.isin(codes, indexes[:1]))[0])
        where = pd.DataFrame({"row": where_rows, "sheet": str(rows["sheet"].iloc[first])})
        parent = ctx.resolver.get(parent_key) if parent_key else None
        if why and why.startswith("ambiguous"):
            code, message = "ambiguous_location", f"{text!r} matches several places ({why[11:]}); map it to one."
            suggestions = []
        else:
            code = "unknown_location"
            suggestions = ctx.resolver.suggest(text, scope=parent)
            message = f"Unknown location {text!r}" + (f" in {parent.name}" if parent else "") + (
                f" ({why})" if why else "") + (f"; closest known: {', '.join(suggestions)}." if suggestions else ".")
        column = plans[where["sheet"].iloc[0]].location_columns
        entry = problem(code, message, column=", ".join(column), value=text, sheet=where["sheet"].iloc[0] or None)
        entry["suggestions"] = suggestions
        ctx.problems.add(entry, rows=where["row"].tolist())
        if code == "unknown_location" and parent_key and parent_key != (ctx.country.key if ctx.country else None):
            ctx.sublocations_unknown = True
    return codes, outcome_id, outcome_mode


def _resolve_metrics(ctx: Context, rows: pd.DataFrame, plans: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code and, per code, the metric_id (-1 when unknown, -2 when left out on purpose)."""
    codes, uniques = encode(rows["metric"])
    manual = {normalise_name(k): v for k, v in (ctx.mapping.get("metrics") or {}).items()}
    known_names = sorted({normalise_name(n) for names in METRIC_NAMES.values() for n in names} | set(ctx.metrics))
    ids = np.full(len(uniques), -1, dtype="int64")
    grouped_rows = None
    for index, text in enumerate(uniques):
        code = text if text in ctx.metrics else manual.get(normalise_name(text)) or metric_for_name(text)
        if code in ctx.metrics:
            ids[index] = ctx.metrics[code][0]
            continue
        if normalise_name(text) in manual and not manual[normalise_name(text)]:
            ids[index] = -2  # left out on purpose
            continue
        if grouped_rows is None:
            grouped_rows = rows_by_code(codes, np.arange(len(rows)))
        if ctx.problems.over_cap("unknown_metric", "error", rows["row"].to_numpy()[grouped_rows[index]]):
            continue
        close = difflib.get_close_matches(normalise_name(text), known_names, n=3, cutoff=0.6)
        where = rows.iloc[grouped_rows[index]][["row", "sheet"]].astype({"sheet": "str"}).drop_duplicates()
        ctx.problems.add(problem(
            "unknown_metric", f"Unknown metric {text!r}" + (f"; did you mean {', '.join(close)}?" if close else
                                                           f"; known: {', '.join(sorted(ctx.metrics))}."),
            column=plans[where["sheet"].iloc[0]].metric_column or "metric", value=text,
            sheet=where["sheet"].iloc[0] or None), rows=where["row"].tolist())
    return codes, ids


def texts_at(column: pd.Series, positions: np.ndarray) -> list[str]:
    """The texts of `column` at `positions`, as a list: a categorical's codes index its categories
    directly (going through pandas' Arrow strings would convert them one at a time)."""
    values = column.array
    if isinstance(values, pd.Categorical):
        return np.asarray(values.categories, dtype=object)[values.codes[positions]].astype(str).tolist()
    return [str(v) for v in column.iloc[positions].to_numpy(dtype=object)]


def _series_flags(values: np.ndarray, location_ids: np.ndarray, metric_ids: np.ndarray,
                  cumulative_ids: list[int]) -> dict[str, np.ndarray]:
    """Positions of the rows to warn about, by code, in rows sorted by location, metric and date:
    negative values, cumulative series that fall, implausible jumps (plain array work, which can run
    in another thread)."""
    flagged = {"negative_value": np.flatnonzero(values < 0)}
    if len(values) >= 2:
        # Each value against the one before it (views, so a million rows cost no copies), where both
        # are of the same cumulative series.
        loc, met = location_ids, metric_ids
        is_cumulative = np.zeros(max([*cumulative_ids, int(met.max())]) + 1, dtype=bool)
        is_cumulative[cumulative_ids] = True
        follows = is_cumulative[met[1:]]  # a table lookup: np.isin sorts a million ids
        follows &= loc[1:] == loc[:-1]
        follows &= met[1:] == met[:-1]
        current, previous = values[1:], values[:-1]
        with np.errstate(invalid="ignore"):
            jumps = np.flatnonzero(follows & (current > previous * JUMP_FACTOR))  # few: the rest of the rule on them
            jumps = jumps[(previous[jumps] > 0) & (current[jumps] - previous[jumps] >= JUMP_MIN_INCREASE)]
            follows &= current < previous
        flagged["cumulative_decrease"] = np.flatnonzero(follows) + 1
        flagged["implausible_jump"] = jumps + 1
    return flagged


def _start_series_flags(ctx: Context, frame: pd.DataFrame) -> Future:
    cumulative_ids = [pk for pk, kind in ctx.metrics.values() if kind == Metric.Kind.CUMULATIVE]
    return parallel.submit(_series_flags, frame["value"].to_numpy(), frame["location_id"].to_numpy(),
                           frame["metric_id"].to_numpy(), cumulative_ids, rows=len(frame))


def _check_series(ctx: Context, frame: pd.DataFrame, flags: Future):
    """Warnings on the finished frame (sorted by location, metric, date): negatives, decreasing
    cumulative series, implausible jumps, each with its row. `flags`: _start_series_flags' result."""
    flagged = flags.result()
    values = frame["value"].to_numpy()
    if not any(len(where) for where in flagged.values()):
        return
    where = np.concatenate(list(flagged.values()))  # every flagged row, as lists from here on
    metric, key = texts_at(frame["metric"], where), texts_at(frame["location_key"], where)
    value, before = values[where].tolist(), values[np.maximum(where - 1, 0)].tolist()
    day = np.datetime_as_string(frame["date"].to_numpy()[where], unit="D").tolist()
    row, sheet = frame["row"].to_numpy()[where].tolist(), texts_at(frame["sheet"], where)
    start = 0
    for code, indexes in flagged.items():
        part = range(start, start + len(indexes))
        start += len(indexes)
        if code == "negative_value":
            messages = [f"Negative value {value[i]:,.0f} for {metric[i]} in {key[i]}." for i in part]
        elif code == "cumulative_decrease":
            messages = [f"{metric[i]} in {key[i]} falls from {before[i]:,.0f} to {value[i]:,.0f} on {day[i]} "
                        "(a correction by the source?)." for i in part]
        else:
            messages = [f"{metric[i]} in {key[i]} jumps from {before[i]:,.0f} to {value[i]:,.0f} on {day[i]} "
                        "(more than ten times the day before; an extra digit?)." for i in part]
        ctx.problems.add_records(code, "warning", rows=[row[i] for i in part], sheets=[sheet[i] for i in part],
                                 columns=[metric[i] for i in part], values=[str(value[i]) for i in part],
                                 messages=messages)


def observation_keys(frame: pd.DataFrame) -> np.ndarray:
    """One int64 per (location, metric, date), ordered like the triple (dates are 2019-12-01 or later):
    location_id << 28 | metric_id << 20 | days since 1970 (the shifts are dataset.snapshots', which
    computes the same key in SQL)."""
    return _key_array(frame["location_id"].to_numpy(), frame["metric_id"].to_numpy(), frame["date"].to_numpy())


def _keys_by_code(location_codes, metric_codes, date_codes, location_table, metric_table,
                  date_table) -> tuple[np.ndarray, np.ndarray]:
    """observation_keys of rows given as codes into per-code tables, and the scratch array used (free
    for reuse): each table's part of the key is made once per code, then one gather per table into
    the same array (unusable entries are never picked, and are made harmless)."""
    location_part = np.maximum(location_table, 0).astype("int64") << LOCATION_SHIFT
    metric_part = np.maximum(metric_table, 0).astype("int64") << METRIC_SHIFT
    day_part = np.where(np.isnat(date_table), np.datetime64(EARLIEST_DATE, "s"), date_table).astype(
        "datetime64[D]").view("int64")
    keys = location_part[location_codes]
    scratch = np.take(metric_part, metric_codes, mode="clip")  # valid codes: "clip" skips the checks
    keys |= scratch
    keys |= np.take(day_part, date_codes, out=scratch, mode="clip")  # ("raise" would copy)
    return keys, scratch


def _key_array(location_ids: np.ndarray, metric_ids: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """observation_keys of three arrays, with one scratch array (a million rows: each copy costs)."""
    keys = location_ids.astype("int64")
    keys <<= LOCATION_SHIFT
    scratch = metric_ids.astype("int64")
    scratch <<= METRIC_SHIFT
    keys |= scratch
    if dates.dtype == "datetime64[s]":  # whole days: integer division is several times faster than astype
        np.floor_divide(dates.view("int64"), 86400, out=scratch)
    else:
        scratch[:] = dates.astype("datetime64[D]").view("int64")
    keys |= scratch
    return keys


def _key_parts(keys: np.ndarray, spares: list[np.ndarray]) -> dict[str, np.ndarray]:
    """location_id, metric_id and date (datetime64[s]) back from observation keys, written into
    `spares` (int64 arrays as long as `keys` that nothing uses any more) while there are some: fresh
    memory costs a page fault per page, reused memory does not."""

    def buffer() -> np.ndarray:
        return spares.pop() if spares else np.empty(len(keys), dtype="int64")

    location_ids = np.right_shift(keys, LOCATION_SHIFT, out=buffer())
    metric_ids = np.right_shift(keys, METRIC_SHIFT, out=buffer())
    metric_ids &= (1 << (LOCATION_SHIFT - METRIC_SHIFT)) - 1
    dates = np.bitwise_and(keys, (1 << METRIC_SHIFT) - 1, out=buffer())
    dates *= 86400
    return {"location_id": location_ids, "metric_id": metric_ids, "date": dates.view("datetime64[s]")}


def _sorted(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """`frame` in key order, and its observation keys."""
    keys = observation_keys(frame)
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        frame, keys = frame.take(order).reset_index(drop=True), keys[order]
    return frame, keys


def _combine(ctx: Context, frame: pd.DataFrame, sorted_keys: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Add up summed columns and aggregated sub-locations, then refuse conflicting duplicates.

    `frame` comes sorted by key, and `sorted_keys` are its observation keys; both are returned as
    they are after that."""
    keys = ["location_id", "metric_id", "date"]
    summing = (frame["group"].to_numpy() != 0) | (frame["mode"].to_numpy() == AGGREGATED)
    if summing.any():
        agg = frame[summing].groupby(keys + ["group", "mode"], as_index=False, sort=False).agg(
            value=("value", "sum"), row=("row", "min"), sheet=("sheet", "first"), n=("row", "size"),
            column=("column", "first"))
        aggregated = agg[agg["mode"] == AGGREGATED]
        if not aggregated.empty:
            key_by_id = {pk: p.key for pk, p in ctx.resolver.places.items()}
            direct_ids = set(frame.loc[~summing, "location_id"])
            partial = aggregated[aggregated["location_id"].isin(direct_ids)]
            for location_id, group in partial.groupby("location_id"):
                key = key_by_id[int(location_id)]
                ctx.problems.add(problem(
                    "partial_aggregate", f"Rows for places inside {key} that we do not know cannot be added up into "
                    f"{key}, because the file also gives {key} or other places inside it directly: map those names "
                    "in 'locations' or leave them out.", value=key), rows=group["row"].tolist())
            places = aggregated.groupby("location_id")["n"].sum()
            listed = ", ".join(f"{key_by_id[int(k)]} ({v:,})" for k, v in places.head(20).items())
            ctx.problems.add(problem(
                "sublocations_aggregated", f"{int(places.sum()):,} values for places we do not list (such as "
                f"counties) were added up into {listed}" + ("..." if len(places) > 20 else "") + ".",
                severity="warning"))
        frame, sorted_keys = _sorted(pd.concat([frame[~summing], agg.drop(columns=["n"])], ignore_index=True))
    same = np.zeros(len(frame), dtype=bool)
    same[1:] = sorted_keys[1:] == sorted_keys[:-1]
    if same.any():
        duplicated = same | np.concatenate((same[1:], [False]))
        dups = _with_names(ctx, frame[duplicated])
        spread = dups.groupby(keys)["value"].transform("nunique")
        conflict = dups[spread > 1].astype({"location_key": "str", "metric": "str", "column": "str"})
        ctx.problems.add_rows(
            "conflicting_duplicate", "error", conflict["metric"] + " for " + conflict["location_key"] + " on "
            + conflict["date"].dt.strftime("%Y-%m-%d") + " appears more than once with different values.",
            conflict.assign(raw_value=conflict["value"]))
        repeated = dups[(spread == 1) & same[duplicated]].astype({"column": "str"})
        ctx.problems.add_rows("duplicate_row", "warning", "The same value appears again (row ignored).",
                              repeated.assign(raw_value=repeated["value"]))
        kept = np.ones(len(frame), dtype=bool)
        kept[repeated.index.to_numpy()] = False
        frame, sorted_keys = frame[kept].reset_index(drop=True), sorted_keys[kept]
    return frame, sorted_keys


def _merge_mapping(mapping, recipe) -> dict:
    base = {}
    if recipe is not None:
        base = dict(getattr(recipe, "mapping", recipe) or {})
        if getattr(recipe, "layout", "") and "layout" not in base:
            base["layout"] = recipe.layout
    return {**base, **(mapping or {})}


def validate(parsed: ParsedFile, *, mapping: dict | None = None, recipe=None, default_country=None,
             today: dt.date | None = None) -> ValidationResult:
    """Normalise and check a parsed file; see the module docstring for the contract.

    Never raises for bad input; a bug of ours becomes a `validation_failed` error (and a log entry)
    rather than a crashed worker."""
    try:
        return _validate(parsed, mapping=mapping, recipe=recipe, default_country=default_country, today=today)
    except (MemoryError, DatabaseError):
        raise
    except Exception as exc:
        logger.exception("validation failed on %s", parsed.filename)
        entry = problem("validation_failed", f"The file could not be checked ({type(exc).__name__}); the team has "
                        "been told. Try again later or send the file in another format.")
        return ValidationResult(frame=pd.DataFrame(columns=FRAME_COLUMNS), report={
            "valid": False, "needs_mapping": {"needed": False, "reasons": [], "suggested": {}},
            "detected": parsed.detection(), "mapping": mapping or {}, "rows": {"source": 0, "values": 0},
            "counts": {"validation_failed": 1}, "errors": 1, "warnings": 0, "problems": [entry],
            "problems_truncated": False})


def _validate(parsed: ParsedFile, *, mapping, recipe, default_country, today) -> ValidationResult:
    mapping = _merge_mapping(mapping, recipe)
    today = today or timezone.now().date()
    ctx = Context(parsed, mapping, default_country, today)
    ctx.needs, ctx.suggested, ctx.sublocations_unknown, ctx.incomplete_given_directly = [], {}, False, False
    for entry in parsed.problems:
        ctx.problems.add(dict(entry))
    unknown_keys = sorted(set(mapping) - MAPPING_KEYS)
    if unknown_keys:
        ctx.problems.add(problem("bad_mapping", f"Unknown mapping keys: {', '.join(unknown_keys)}.",
                                 severity="warning"))
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in [
        ("location_id", "int64"), ("location_key", "str"), ("metric_id", "int64"), ("metric", "str"),
        ("date", "datetime64[s]"), ("value", "float64"), ("row", "int64"), ("sheet", "str")]})
    keys = np.zeros(0, dtype="int64")
    plans = {}
    source_rows = 0
    if parsed.is_readable:
        long_parts = []
        wanted = mapping.get("sheets")
        for sheet in parsed.sheets:
            if wanted and sheet.name and sheet.name not in wanted:
                continue
            errors_before = sum(e["severity"] == "error" for e in ctx.problems.entries)
            plan = plan_sheet(ctx, sheet)
            plans[sheet.name] = plan
            source_rows += len(sheet.frame)
            if sum(e["severity"] == "error" for e in ctx.problems.entries) > errors_before:
                continue
            if plan.reasons:
                ctx.needs.extend(plan.reasons)
                ctx.suggested.update({k: v for k, v in plan.suggested.items() if v is not None})
                continue
            rows = _long_rows(sheet, plan)
            if rows.empty:
                ctx.problems.add(problem("sheet_skipped", "Nothing to read in this sheet.", severity="warning",
                                         sheet=sheet.name or None))
                continue
            long_parts.append(rows)
        if long_parts and not ctx.problems.has_errors:
            rows = long_parts[0] if len(long_parts) == 1 else pd.concat(long_parts, ignore_index=True)
            frame, keys = _normalise(ctx, rows, plans)
    ctx.problems.flush()
    if ctx.sublocations_unknown and mapping.get("unknown_sublocations") is None:
        ctx.needs.append({"code": "unknown_sublocations", "message": "Some places inside a country or region are "
                          "not in our reference data (US counties, for instance): add each such group up into the "
                          "place above ('aggregate'), leave them out ('ignore') or map each name.", "sheet": None})
        ctx.suggested["unknown_sublocations"] = "ignore" if ctx.incomplete_given_directly else "aggregate"
    if parsed.is_readable and not ctx.needs and frame.empty and not ctx.problems.has_errors:
        ctx.problems.add(problem("no_values", "No values were found in the file (every value cell is empty)."))
    needs_mapping = bool(ctx.needs)
    if needs_mapping:
        ctx.problems.add(problem("needs_mapping", "The file needs a column mapping: " + " ".join(
            r["message"] for r in ctx.needs[:5])))
    problems = ctx.problems.frame()
    entries = ctx.problems.entries
    counts = problems.groupby("code").size().astype(int).to_dict() if len(problems) else {}
    errors = int(sum(e["severity"] == "error" for e in entries))
    layouts = sorted({p.layout for p in plans.values() if p.layout})
    report = {
        "valid": errors == 0 and not needs_mapping,
        "needs_mapping": {"needed": needs_mapping, "reasons": ctx.needs,
                          "suggested": {**_suggested_base(plans), **ctx.suggested} if needs_mapping else {}},
        "detected": {**parsed.detection(), "filename": parsed.filename,
                     "sheets": [{**p.describe(), "rows": len(s.frame), "columns": s.header}
                                for s in parsed.sheets for p in [plans.get(s.name)] if p is not None]
                     or parsed.detection()["sheets"]},
        "mapping": {**({"layout": layouts[0]} if len(layouts) == 1 else {}), **mapping},
        "layout": layouts[0] if len(layouts) == 1 else ("mixed" if layouts else ""),
        "rows": {"source": source_rows, "values": len(frame)},
        "counts": {str(k): int(v) for k, v in counts.items()},
        "errors": errors,
        "warnings": int(sum(e["severity"] == "warning" for e in entries)),
        "problems": entries[:5000],
        "problems_truncated": len(entries) > 5000 or any(e.get("summary") for e in entries),
    }
    if not report["valid"]:
        frame, keys = frame.iloc[0:0], None
    return ValidationResult(frame=frame.reset_index(drop=True), report=report, problems=problems, keys=keys)


def _suggested_base(plans: dict) -> dict:
    """The detected mapping, as a starting point for the volunteer's."""
    if not plans:
        return {}
    plan = next(iter(plans.values()))
    base = {"layout": plan.layout}
    if plan.date_column:
        base["date_column"] = plan.date_column
    if plan.location_columns:
        base["location_columns"] = plan.location_columns
    if plan.metric_columns:
        base["metrics"] = dict(plan.metric_columns)
    if plan.metric_column:
        base["metric_column"], base["value_column"] = plan.metric_column, plan.value_column
    if plan.metric:
        base["metric"] = plan.metric
    if plan.unused:
        base["ignore"] = plan.unused
    return {k: v for k, v in base.items() if v}


def _normalise(ctx: Context, rows: pd.DataFrame, plans: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """The long frame of valid values, sorted by location, metric and date, checked for duplicates,
    and its rows' observation keys."""
    raw = pa.array(rows["raw_value"].astype("str"))
    plain = parallel.submit(_plain_values, ctx.parsed, raw, rows=len(raw))  # meanwhile, dates and places
    # Dates, places and metrics are resolved once per distinct text: a code per row and a small table
    # per code. The rows' keys are put together from the tables, with no id or date array per row.
    date_codes, date_table = _resolve_dates(ctx, rows, plans)
    location_codes, location_table, mode_table = _resolve_locations(ctx, rows, plans)
    metric_codes, metric_table = _resolve_metrics(ctx, rows, plans)
    modes = mode_table[location_codes]
    tables = {
        "location_id": (location_codes, location_table), "metric_id": (metric_codes, metric_table),
        "date": (date_codes, date_table),
    }
    keep = np.ones(len(rows), dtype=bool)
    for codes, table in tables.values():
        usable = ~np.isnat(table) if table.dtype.kind == "M" else table >= 0
        if not usable.all():
            keep &= usable[codes]
    # Every row's key while the values are still being read; a second pass drops rows without one.
    keys, spare = _keys_by_code(*(codes for codes, _ in tables.values()), *(table for _, table in tables.values()))
    values, empty = _parse_values(ctx, rows, raw, plain.result())
    if empty.any() and any(p.layout == "long" for p in plans.values()):
        ctx.problems.add(problem("empty_values", f"{int(empty.sum()):,} rows have no value and were left out.",
                                 severity="warning"))
    if empty.all():
        return pd.DataFrame(columns=FRAME_COLUMNS), np.zeros(0, dtype="int64")
    ignored = (modes == IGNORED) & ~empty
    if ignored.any():
        ctx.problems.add(problem("location_ignored", f"{int(ignored.sum()):,} values for places mapped to nothing "
                                 "were left out.", severity="warning"))
    unplaced = (modes == UNPLACED) & ~empty
    if unplaced.any():
        names = rows.loc[unplaced, sorted(c for c in rows.columns if c.startswith("loc"))].astype(str)
        names = names.drop_duplicates()
        listed = ", ".join(" / ".join(t for t in r if t) for r in names.head(30).itertuples(index=False))
        ctx.problems.add(problem("sublocations_ignored", f"{int(unplaced.sum()):,} values for places we do not "
                                 f"know were left out, as the mapping asks: {listed}"
                                 + ("..." if len(names) > 30 else "."), severity="warning"))
    keep &= ~np.isnan(values)
    pick = None if keep.all() else np.flatnonzero(keep)
    if pick is not None:
        keys, spare = keys[pick], spare[:len(pick)]
    spares = [spare]  # int64 arrays as long as keys that nothing uses any more, to write into
    # The rows to keep, gathered once and in key order (_combine would otherwise sort them); when
    # every row is kept in file order, as is common, nothing is gathered.
    order = None
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        unsorted, keys = keys, np.take(keys, order, out=spares.pop(), mode="clip")
        spares.append(unsorted)
        pick = order if pick is None else pick[order]
    columns = {
        "value": values, "row": rows["row"].to_numpy(), "sheet": rows["sheet"].array,
        "group": np.asarray(rows["group"]) if "group" in rows else np.zeros(len(rows), "int8"),
        "column": rows["column"].array, "mode": modes,
    }
    if pick is not None:
        columns = {name: array[pick] for name, array in columns.items()}
    if max((pk for pk, _ in ctx.metrics.values()), default=0) < 1 << (LOCATION_SHIFT - METRIC_SHIFT):
        if order is not None and order.dtype == np.int64:
            spares.append(order)  # gathered with: free now
        pick = order = None
        columns.update(_key_parts(keys, spares))  # one pass in order: cheaper than gathering ids and dates
    else:
        columns.update({name: table[codes if pick is None else codes[pick]]
                        for name, (codes, table) in tables.items()})
    frame = pd.DataFrame(columns, copy=False)  # no copy into 2-D blocks: a million rows
    frame, keys = _combine(ctx, frame, keys)
    flags = _start_series_flags(ctx, frame)  # meanwhile, the names
    frame = _with_names(ctx, frame)
    if not ctx.problems.has_errors:
        _check_series(ctx, frame, flags)
    frame["sheet"] = frame["sheet"].astype("category")
    return frame[FRAME_COLUMNS], keys


def _small_int_codes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of non-negative database ids: a table lookup, faster than hashing."""
    if not len(ids):
        return np.zeros(0, dtype="int32"), ids
    present = np.flatnonzero(np.bincount(ids))
    # The dtype pandas keeps for this many categories, so from_codes does not copy the codes again.
    dtype = "int8" if len(present) < 127 else "int16" if len(present) < 32767 else "int32"
    table = np.zeros(int(present[-1]) + 1, dtype=dtype)
    table[present] = np.arange(len(present), dtype=dtype)
    return table[ids], present


def _with_names(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Add location keys and metric codes to `frame` (categoricals: a million rows share a few hundred
    names) and return it."""
    places = ctx.resolver.places
    code_by_id = {pk: code for code, (pk, _) in ctx.metrics.items()}
    location_codes, location_ids = _small_int_codes(frame["location_id"].to_numpy())
    metric_codes, metric_ids = _small_int_codes(frame["metric_id"].to_numpy())
    # Set in place: assign() would copy a million rows first.
    frame["location_key"] = _category(location_codes, [places[int(i)].key for i in location_ids])
    frame["metric"] = _category(metric_codes, [code_by_id[int(i)] for i in metric_ids])
    return frame
