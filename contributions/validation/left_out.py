"""The columns a sheet's plan does not take: each listed in the plan with its number of values and why,
and a warning for those that hold figures (a metric we did not take, the total of the place columns,
values of no known place). A column the volunteer's mapping leaves out is listed, not warned about.

The same column in several sheets of a workbook shares one warning, which names the values of all."""

import re
from typing import Any

from django.utils.translation import gettext_noop

from ..columns import ColumnGuess, metric_words, place_word, split_metric
from ..contracts import Problem
from ..parsing import Sheet, problem
from ..texts import Param, Text, stored
from .context import Context, Plan
from .place_columns import DATE_FORMAT_HEADER, non_empty

ROLE_REASONS = {
    "ignore": gettext_noop("not figures we keep (codes, coordinates, notes, sources)"),
    "date": gettext_noop("another date column"),
    "country": gettext_noop("another place column"),
    "region": gettext_noop("another place column"),
    "subregion": gettext_noop("another place column"),
    "location": gettext_noop("another place column"),
    "metric": gettext_noop("another metric column"),
    "value": gettext_noop("another value column"),
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
        reason = Text(gettext_noop("left out by the mapping")) if column in chosen else why
        entry: dict[str, Any] = {"column": column, "values": values, "on_purpose": column in chosen}
        entry.update(reason_fields(reason))
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
            return "total_column", Text(gettext_noop("looks like the total of the place columns"))
        return "unknown_place_column", Text(gettext_noop("values of no known place"))
    like = metric_words(column)
    if like is not None:
        return "unmapped_metric_column", _metric_reason(ctx, plan, column, like.metric, like.kind)
    if DATE_FORMAT_HEADER.fullmatch(column.strip()):
        return None, Text(gettext_noop("another form of the date"))
    if plan.layout == "wide_place" and guess.role is None:
        return None, Text(gettext_noop("not a place we know"))
    return None, Text(ROLE_REASONS.get(guess.role or "", gettext_noop("not a column we know")))


def _metric_reason(ctx: Context, plan: Plan, column: str, metric: str | None, kind: str) -> str:
    """Why a column that looks like a metric was not taken."""
    if kind == "daily":
        if metric:
            return Text(
                gettext_noop("a daily change, a rate or a share of %(metric)s, which we do not store"), metric=metric
            )
        return Text(gettext_noop("a daily change, a rate or a share, which we do not store"))
    if kind == "part":
        return Text(gettext_noop("a part of %(metric)s (by sex, age or setting)"), metric=str(metric))
    if metric is None:
        return Text(gettext_noop("a figure we have no metric for"))
    if kind == "other":
        return Text(gettext_noop("a figure we have no metric for (%(metric)s of another kind)"), metric=metric)
    split = split_metric(column)
    taken = [c for c, code in plan.metric_columns.items() if code == metric and not plan.column_places.get(c)]
    if split and place_word(split[1]) == "unknown":
        return Text(gettext_noop("%(metric)s of no known place (%(place)s)"), metric=metric, place=repr(split[1]))
    reason: str = metric
    if split and len(split[1]) > 2:
        reason = Text(gettext_noop("%(metric)s for %(place)s"), metric=metric, place=repr(split[1]))
    if taken:
        reason = Text(
            gettext_noop("%(reason)s; column %(column)s gives %(metric)s"),
            reason=stored(reason),
            column=repr(taken[0]),
            metric=metric,
        )
    if split and re.fullmatch(r"[^\W\d_]{3,}", split[1]) and not metric_words(split[1]):
        reason = Text(
            gettext_noop("%(reason)s; if %(place)s is a place, give its key in column_places"),
            reason=stored(reason),
            place=repr(split[1]),
        )
    return reason


def _warn(ctx: Context, sheet: Sheet, code: str, column: str, why: str, values: int) -> None:
    """One warning per column (shared by the sheets that have it), with its number of values."""
    seen = ctx.left_out_warnings.get((code, column))
    if seen is not None:
        values += seen.get("row_count", 0)
        seen["sheet"] = None
    entry: Problem = seen or problem(code, "", severity="warning", column=column, sheet=sheet.name or None)
    entry["row_count"] = values
    said: dict[str, Param] = {"column": repr(column), "why": stored(why), "values": f"{values:,}"}
    if code == "unmapped_metric_column":
        message = Text.ngettext(
            "Column %(column)s looks like a metric we did not take (%(why)s; %(values)s value): "
            "choose one: map it to a metric, or ignore it.",
            "Column %(column)s looks like a metric we did not take (%(why)s; %(values)s values): "
            "choose one: map it to a metric, or ignore it.",
            values,
            **said,
        )
    elif code == "total_column" and ctx.country:
        message = Text.ngettext(
            "Column %(column)s %(why)s (%(values)s value): left out; map it to the country "
            "(%(country)s, %(key)s) in column_places to take it.",
            "Column %(column)s %(why)s (%(values)s values): left out; map it to the country "
            "(%(country)s, %(key)s) in column_places to take it.",
            values,
            country=ctx.country.name,
            key=ctx.country.key,
            **said,
        )
    elif code == "total_column":
        message = Text.ngettext(
            "Column %(column)s %(why)s (%(values)s value): left out; map it to the country in "
            "column_places to take it.",
            "Column %(column)s %(why)s (%(values)s values): left out; map it to the country in "
            "column_places to take it.",
            values,
            **said,
        )
    else:
        message = Text.ngettext(
            "Column %(column)s holds %(why)s (%(values)s value): left out.",
            "Column %(column)s holds %(why)s (%(values)s values): left out.",
            values,
            **said,
        )
    entry.update(stored(message))  # type: ignore[typeddict-item]
    if seen is None:
        ctx.left_out_warnings[(code, column)] = entry
        ctx.problems.add(entry)


def reason_fields(reason: str) -> dict[str, Any]:
    """A left-out column's reason as its entry stores it: `reason`, and its msgid and params to show it
    in any language (`reason_msgid`, `reason_params`)."""
    kept = stored(reason)
    return {"reason": kept.pop("message"), **{f"reason_{key}": value for key, value in kept.items()}}
