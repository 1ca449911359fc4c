"""Planning a sheet: its layout and which column holds the date, the place, the metric and the
value, from the volunteer's mapping or detected from the headers; what the file still needs."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_noop

from places.models import normalise_name
from places.resolver import AmbiguousLocation, LocationResolver, Place

from ..columns import classify_column
from ..parsing import Sheet, problem
from ..texts import Text
from .context import Context, Plan
from .dates import date_in_filename, header_is_date
from .left_out import note_left_out
from .metric_plan import Columns, plan_metric, plan_metric_and_value_columns, plan_metric_columns
from .place_columns import HeaderPlaces, plan_place_columns, read_headers

LAYOUTS = ("long", "wide_metric", "wide_date", "wide_place")
LOCATION_ROLES = ("location", "country", "region", "subregion")
MIN_PLACE_COLUMNS = 2  # headers that are places, for a file to be read as one column per place
SHEET_FILLER_WORDS = {
    "daily",
    "covid",
    "covid19",
    "19",
    "cases",
    "case",
    "data",
    "sheet",
    "per",
    "day",
    "total",
    "new",
    "confirmed",
    "deaths",
    "stats",
    "statistics",
    "report",
    "casi",
    "casos",
    "dati",
    "datos",
}
ROLES = ("date", "country", "region", "subregion", "location", "metric", "value", "metric_column")


def plan_sheet(ctx: Context, sheet: Sheet) -> Plan:
    """Decide layout, date, location and metric columns from the mapping, or detect them."""
    m = ctx.mapping
    plan = Plan(sheet=sheet.name)
    ignore = set(m.get("ignore") or [])
    columns = [c for c in sheet.header if c not in ignore]
    guesses = {c: classify_column(c) for c in columns}
    plan.roles = {c: (g.metric if g.role == "metric_column" else g.role) for c, g in guesses.items()}
    date_headers = [c for c in columns if header_is_date(c)]

    layout = m.get("layout")
    if layout and layout not in LAYOUTS:
        ctx.problems.add(
            problem(
                "bad_mapping",
                Text(
                    gettext_noop("Unknown layout %(layout)s: use long, wide_metric, wide_date or wide_place."),
                    layout=repr(layout),
                ),
            )
        )
        return plan
    has = {role: [c for c, g in guesses.items() if g.role == role and c not in date_headers] for role in ROLES}
    headers = HeaderPlaces()
    if layout in ("wide_metric", "wide_place") or (not layout and len(date_headers) < 3):
        date_column = m.get("date_column") or next(iter(has["date"]), None)
        headers = read_headers(ctx, [c for c in columns if c != date_column and c not in date_headers], guesses)
    plan.layout = _layout(ctx, has, date_headers, headers)
    if not plan.layout:
        plan.need(
            "layout_unknown",
            Text(
                gettext_noop(
                    "No column looks like a metric (confirmed, deaths...), a date, a place or a value: say "
                    "which column holds what."
                )
            ),
            layout="wide_metric",
        )
        return plan
    _plan_date(ctx, sheet, plan, has, date_headers)
    if plan.layout == "wide_place":
        plan_place_columns(ctx, sheet, plan, headers)
        plan_metric(ctx, sheet, plan)
    elif plan.layout == "wide_date":
        _plan_location(ctx, sheet, plan, has)
        plan_metric(ctx, sheet, plan)
    elif plan.layout == "long":
        _plan_location(ctx, sheet, plan, has)
        plan_metric_and_value_columns(ctx, plan, has)
    else:
        plan_metric_columns(ctx, sheet, plan, guesses, headers)
        if not plan.metric_columns or any(not plan.column_places.get(c) for c in plan.metric_columns):
            _plan_location(ctx, sheet, plan, has)  # some values take the row's place
    if m.get("column_places") and plan.layout in ("long", "wide_date"):
        ctx.problems.add(
            problem(
                "bad_mapping",
                Text(
                    gettext_noop(
                        "column_places is read only for one column per place (wide_place) or per metric (wide_metric)."
                    )
                ),
                severity="warning",
                sheet=sheet.name or None,
            )
        )
    used = set(plan.location_columns) | set(plan.metric_columns) | set(plan.date_columns)
    used |= {c for c in (plan.date_column, plan.metric_column, plan.value_column) if c}
    used |= {c for c, key in plan.column_places.items() if key}
    plan.unused = note_left_out(ctx, sheet, plan, used, guesses)
    if not plan.reasons:
        plan.suggested = {}
    return plan


def _layout(ctx: Context, has: Columns, date_headers: list[str], headers: HeaderPlaces) -> str | None:
    """The mapping's layout, else the one the headers show (a falsy value when they show none)."""
    m = ctx.mapping
    layout = m.get("layout")
    if layout:
        return layout
    if len(date_headers) >= 3:
        return "wide_date"
    if (m.get("metric_column") or has["metric"]) and (m.get("value_column") or has["value"]):
        return "long"
    plain_metrics = [c for c in has["metric_column"] if c not in headers.metric_places]
    mapped = [c for c, key in (m.get("column_places") or {}).items() if key and c not in has["metric_column"]]
    located = any(c not in mapped for role in LOCATION_ROLES for c in has[role]) or m.get("location_columns")
    places = len(headers.places) >= MIN_PLACE_COLUMNS or mapped
    if places and not plain_metrics and not located and not m.get("metrics"):
        return "wide_place"
    if has["metric_column"] or m.get("metrics"):
        return "wide_metric"
    return layout


def _plan_date(ctx: Context, sheet: Sheet, plan: Plan, has: Columns, date_headers: list[str]) -> None:
    """The date column, the constant date, or (wide by date) the headers that are dates."""
    m = ctx.mapping
    if plan.layout == "wide_date":
        plan.date_columns = date_headers
    elif m.get("date_column"):
        if m["date_column"] not in sheet.header:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(
                        gettext_noop("The date column %(date_column)s is not in the file."),
                        date_column=repr(m["date_column"]),
                    ),
                    sheet=sheet.name or None,
                    column=m["date_column"],
                )
            )
        plan.date_column = m["date_column"]
    elif m.get("date"):
        try:
            plan.date_constant = dt.date.fromisoformat(str(m["date"]))
        except ValueError:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(gettext_noop("The constant date %(date)s is not a date (YYYY-MM-DD)."), date=repr(m["date"])),
                )
            )
    elif has["date"]:
        plan.date_column = has["date"][0]
    else:
        guess = date_in_filename(ctx.parsed.filename)
        plan.need(
            "no_date_column",
            Text(
                gettext_noop(
                    "The file has no date column: give the date the figures are for (the file name suggests %(date)s)."
                ),
                date=guess.isoformat(),
            )
            if guess
            else Text(gettext_noop("The file has no date column: give the date the figures are for.")),
            **({"date": guess.isoformat()} if guess else {}),
        )


def _plan_location(ctx: Context, sheet: Sheet, plan: Plan, has: Columns) -> None:
    """The location columns, or the constant location (given, or the sheet's name)."""
    m = ctx.mapping
    if m.get("location_columns"):
        wanted = m["location_columns"]
        plan.location_columns = [wanted] if isinstance(wanted, str) else list(wanted)
        missing = [c for c in plan.location_columns if c not in sheet.header]
        if missing:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(gettext_noop("Location column(s) %(missing)s are not in the file."), missing=str(missing)),
                    sheet=sheet.name or None,
                )
            )
            plan.location_columns = [c for c in plan.location_columns if c in sheet.header]
    elif m.get("location"):
        plan.location_constant = ctx.resolver.get(m["location"])
        if plan.location_constant is None:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(gettext_noop("There is no location with the key %(location)s."), location=repr(m["location"])),
                )
            )
    elif m.get("sheet_as_location") and sheet.name:
        # The mapping's `locations` may name the sheet's place, as for any other text of the file.
        manual = {normalise_name(k): v for k, v in (m.get("locations") or {}).items() if v}
        given = manual.get(normalise_name(sheet.name))
        plan.location_constant = ctx.resolver.get(given) if given else _sheet_location(ctx.resolver, sheet.name)
        if plan.location_constant is None:
            ctx.problems.add(
                problem(
                    "unknown_location",
                    Text(
                        gettext_noop(
                            "The sheet name %(name)s is not a known location; map it in 'locations', leave the sheet "
                            "out in 'sheets', or choose a constant location."
                        ),
                        name=repr(sheet.name),
                    ),
                    sheet=sheet.name,
                    value=sheet.name,
                ),
                rows=None,
            )
    else:
        plan.location_columns = has["location"][:1] or (has["country"][:1] + has["region"][:1] + has["subregion"][:1])
        if not plan.location_columns:
            place = _sheet_location(ctx.resolver, sheet.name) if sheet.name else None
            if place is not None and len(ctx.parsed.sheets) > 1:
                plan.location_constant = place
            else:
                suggestion = {"location": ctx.country.key} if ctx.country else {}
                plan.need(
                    "no_location_column",
                    Text(
                        gettext_noop(
                            "The file has no location column: give the location the figures are for (%(country)s?)."
                        ),
                        country=ctx.country.name,
                    )
                    if ctx.country
                    else Text(gettext_noop("The file has no location column: give the location the figures are for.")),
                    **suggestion,
                )


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


def suggested_base(plans: dict[str, Plan]) -> dict[str, Any]:
    """The detected mapping, as a starting point for the volunteer's."""
    if not plans:
        return {}
    plan = next(iter(plans.values()))
    base: dict[str, Any] = {"layout": plan.layout}
    if plan.date_column:
        base["date_column"] = plan.date_column
    if plan.location_columns:
        base["location_columns"] = plan.location_columns
    if plan.metric_columns:
        base["metrics"] = dict(plan.metric_columns)
    if plan.column_places:
        base["column_places"] = dict(plan.column_places)
    if plan.metric_column:
        base["metric_column"], base["value_column"] = plan.metric_column, plan.value_column
    if plan.metric:
        base["metric"] = plan.metric
    if plan.unused:
        base["ignore"] = plan.unused
    return {k: v for k, v in base.items() if v}
