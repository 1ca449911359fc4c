"""Columns that stand for places: one column per place ("EC", "KZN", "Germany"), or a metric and a
place in one header ("confirmados_acores"), and the columns of a total or of values of no known place.

Headers are looked up in the file's scope (the source's country for a national source, the world for
an international one). A short header counts as a code only when it is written in capitals: "ID"
may be Indonesia, "id" is an identifier.
"""

import re
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext_noop

from places.models import normalise_name
from places.resolver import AmbiguousLocation, Place

from ..column_names import TEXT_WORDS
from ..columns import ColumnGuess, metric_words, place_word, split_metric
from ..parsing import Sheet, problem
from ..texts import Text
from .context import Context, Plan

# Headers such as "YYYYMMDD" or "dd/mm/yyyy": another form of the date, not a place.
DATE_FORMAT_HEADER = re.compile(r"(?i)(yyyy|yy|mm|dd)([-/_. ]?(yyyy|yy|mm|dd)){1,2}")
CANDIDATE_ROLES = (None, "value")  # roles a header of a place column may have been guessed as ("total": value)
SHORT = 3  # headers this short are codes (in capitals) or names of places, never other words


@dataclass
class HeaderPlaces:
    """What the headers of a sheet say about places."""

    places: dict[str, str] = field(default_factory=dict)  # column -> location key: the header is a place
    totals: list[str] = field(default_factory=list)  # "total", "Gesamt"
    unknown: list[str] = field(default_factory=list)  # "UNKNOWN", "desconhecido"
    others: list[str] = field(default_factory=list)  # could be places, but are none we know
    metric_places: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (metric, key)


def header_place(ctx: Context, text: str) -> Place | None:
    """The place a header names in the file's scope, or None (unknown, ambiguous, or not a place)."""
    text = text.strip()
    if not any(ch.isalpha() for ch in text):
        return None
    name = normalise_name(text)
    if len(text) <= SHORT and not text.isupper() and name not in ctx.resolver.by_name:
        return None
    try:
        return ctx.resolver.resolve(text, scope=ctx.country)
    except AmbiguousLocation:
        return None


def read_headers(ctx: Context, columns: list[str], guesses: dict[str, ColumnGuess]) -> HeaderPlaces:
    """Sort the headers (date headers and the date column left out by the caller) into places, totals,
    values of no known place, metrics of a place, and other headers that might have been places."""
    found = HeaderPlaces()
    for column in columns:
        guess = guesses[column]
        if guess.role == "metric_column" and not guess.sure:
            split = split_metric(column)
            place = header_place(ctx, split[1]) if split else None
            if split and place is not None:
                found.metric_places[column] = (split[0], place.key)
            continue
        if guess.role not in CANDIDATE_ROLES or DATE_FORMAT_HEADER.fullmatch(column.strip()):
            continue
        place = header_place(ctx, column)
        kind = place_word(column)
        if place is not None:
            found.places[column] = place.key
        elif kind == "total":
            found.totals.append(column)
        elif kind == "unknown":
            found.unknown.append(column)
        elif guess.role is None and not metric_words(column) and not set(normalise_name(column).split()) & TEXT_WORDS:
            found.others.append(column)
    return found


def non_empty(sheet: Sheet, column: str) -> int:
    """How many cells of a column hold something."""
    texts = pa.array(sheet.frame[column].array)
    if texts.null_count == len(texts):
        return 0
    return int(pc.sum(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(texts)), 0)).as_py() or 0)


def check_mapped_places(ctx: Context, sheet: Sheet, given: dict[str, str]) -> dict[str, str]:
    """The mapping's column_places for this sheet: a column not in it or a key we do not know is a
    bad_mapping error (and dropped)."""
    kept = {}
    for column, key in given.items():
        place = ctx.resolver.get(key) if key else None
        if column not in sheet.header:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(
                        gettext_noop("The column %(column)s of column_places is not in the file."), column=repr(column)
                    ),
                    column=column,
                    sheet=sheet.name or None,
                )
            )
        elif key and place is None:
            ctx.problems.add(
                problem(
                    "bad_mapping",
                    Text(
                        gettext_noop("There is no location with the key %(key)s (column_places, column %(column)s)."),
                        key=repr(key),
                        column=repr(column),
                    ),
                    column=column,
                    value=key,
                    sheet=sheet.name or None,
                )
            )
        else:
            kept[column] = place.key if place else ""
    return kept


def plan_place_columns(ctx: Context, sheet: Sheet, plan: Plan, headers: HeaderPlaces) -> None:
    """One column per place: the place of each column, from the mapping's column_places, else from
    its header; totals and values of no known place are left out (and reported); a column that is
    none of those asks the volunteer."""
    given = check_mapped_places(ctx, sheet, ctx.mapping.get("column_places") or {})
    detected = {**headers.places, **dict.fromkeys(headers.totals + headers.unknown, "")}
    plan.column_places = {c: given.get(c, detected.get(c, "")) for c in sheet.header if c in given or c in detected}
    for column in plan.column_places:
        plan.roles[column] = "place"
    others = [c for c in headers.others if c not in given and c != plan.date_column and non_empty(sheet, c)]
    if not any(plan.column_places.values()):
        plan.need(
            "no_place_columns",
            Text(gettext_noop("No column is a place we know: say the place of each column (column_places).")),
            column_places={**plan.column_places, **dict.fromkeys(others, "")},
        )
    elif others:
        plan.need(
            "unknown_place_columns",
            Text(
                gettext_noop(
                    "Columns %(join)s%(value)s are not places we know: say the place of each, or leave it out "
                    "(column_places)."
                ),
                join=str(", ".join(map(repr, others[:20]))),
                value=str("..." if len(others) > 20 else ""),
            ),
            column_places={**plan.column_places, **dict.fromkeys(others, "")},
        )
