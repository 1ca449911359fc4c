"""The columns a sheet's plan does not take: each listed in the plan with its number of values and why,
and a warning for those that hold figures (a metric we did not take, the total of the place columns,
values of no known place). A column the volunteer's mapping leaves out is listed, not warned about.

The same column in several sheets of a workbook shares one warning, which names the values of all."""

import re
from typing import Any

from ..columns import ColumnGuess, metric_words, place_word, split_metric
from ..contracts import Problem
from ..parsing import Sheet, problem
from .context import Context, Plan
from .place_columns import DATE_FORMAT_HEADER, non_empty

ROLE_REASONS = {
    "ignore": "not figures we keep (codes, coordinates, notes, sources)",
    "date": "another date column",
    "country": "another place column",
    "region": "another place column",
    "subregion": "another place column",
    "location": "another place column",
    "metric": "another metric column",
    "value": "another value column",
}


def chosen_to_leave_out(ctx: Context, sheet: Sheet) -> set[str]:
    """The columns the mapping leaves out on purpose: in `ignore`, mapped to no metric, or to no place."""
    m = ctx.mapping
    chosen = set(m.get("ignore") or [])
    chosen |= {c for c, code in (m.get("metrics") or {}).items() if code == "" and c in sheet.header}
    chosen |= {c for c, key in (m.get("column_places") or {}).items() if key == ""}
    return chosen


def note_left_out(ctx: Context, sheet: Sheet, plan: Plan, used: set[str], guesses: dict[str, ColumnGuess]) -> list[str]:
    """Fill `plan.left_out` (and warn about the columns of figures); return the columns a suggested
    mapping may ignore: those of no figures, which nobody has to decide about."""
    chosen = chosen_to_leave_out(ctx, sheet)
    quiet = []
    for column in sheet.header:
        if column in used:
            continue
        guess = guesses.get(column, ColumnGuess(None))
        values = non_empty(sheet, column)
        code, why = _why(ctx, plan, column, guess)
        entry: dict[str, Any] = {"column": column, "values": values, "reason": why, "on_purpose": column in chosen}
        if column in chosen:
            entry["reason"] = "left out by the mapping"
        if code == "unmapped_metric_column":
            like = metric_words(column)
            entry["metric"] = like.metric if like else None
            if column in plan.roles:  # not taken: a form must not offer it as the metric it looks like
                plan.roles[column] = None
        plan.left_out.append(entry)
        if code and values and column not in chosen:
            _warn(ctx, sheet, code, column, why, values)
        elif not code and guess.role != "ignore" and column not in chosen and column not in plan.column_places:
            quiet.append(column)
    return quiet


def _why(ctx: Context, plan: Plan, column: str, guess: ColumnGuess) -> tuple[str | None, str]:
    """The warning a left-out column deserves (None when it holds no figures) and why it is left out."""
    if column in plan.column_places:  # one column per place, mapped to no place
        if place_word(column) == "total":
            return "total_column", "looks like the total of the place columns"
        return "unknown_place_column", "values of no known place"
    like = metric_words(column)
    if like is not None:
        return "unmapped_metric_column", _metric_reason(ctx, plan, column, like.metric, like.kind)
    if DATE_FORMAT_HEADER.fullmatch(column.strip()):
        return None, "another form of the date"
    if plan.layout == "wide_place" and guess.role is None:
        return None, "not a place we know"
    return None, ROLE_REASONS.get(guess.role or "", "not a column we know")


def _metric_reason(ctx: Context, plan: Plan, column: str, metric: str | None, kind: str) -> str:
    """Why a column that looks like a metric was not taken."""
    if kind == "daily":
        return "a daily change, a rate or a share" + (f" of {metric}" if metric else "") + ", which we do not store"
    if kind == "part":
        return f"a part of {metric} (by sex, age or setting)"
    if metric is None:
        return "a figure we have no metric for"
    if kind == "other":
        return f"a figure we have no metric for ({metric} of another kind)"
    split = split_metric(column)
    taken = [c for c, code in plan.metric_columns.items() if code == metric and not plan.column_places.get(c)]
    if split and place_word(split[1]) == "unknown":
        return f"{metric} of no known place ({split[1]!r})"
    reason = f"{metric} for {split[1]!r}" if split and len(split[1]) > 2 else metric
    if taken:
        reason += f"; column {taken[0]!r} gives {metric}"
    if split and re.fullmatch(r"[^\W\d_]{3,}", split[1]) and not metric_words(split[1]):
        reason += f"; if {split[1]!r} is a place, give its key in column_places"
    return reason


def _warn(ctx: Context, sheet: Sheet, code: str, column: str, why: str, values: int) -> None:
    """One warning per column (shared by the sheets that have it), with its number of values."""
    seen = ctx.left_out_warnings.get((code, column))
    if seen is not None:
        values += seen.get("row_count", 0)
        seen["sheet"] = None
    entry: Problem = seen or problem(code, "", severity="warning", column=column, sheet=sheet.name or None)
    entry["row_count"] = values
    if code == "unmapped_metric_column":
        entry["message"] = (
            f"Column {column!r} looks like a metric we did not take ({why}; {values:,} values): "
            "choose one: map it to a metric, or ignore it."
        )
    elif code == "total_column":
        country = f" ({ctx.country.name}, {ctx.country.key})" if ctx.country else ""
        entry["message"] = (
            f"Column {column!r} {why} ({values:,} values): left out; map it to the country{country} in "
            "column_places to take it."
        )
    else:
        entry["message"] = f"Column {column!r} holds {why} ({values:,} values): left out."
    if seen is None:
        ctx.left_out_warnings[(code, column)] = entry
        ctx.problems.add(entry)
