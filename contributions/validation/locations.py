"""A row's location texts resolved to places, most general first: each distinct combination of texts
walked once (a country, then a region inside it, then a place inside that)."""

import re
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from places.models import normalise_name
from places.resolver import AmbiguousLocation, Place

from ..texts import Text
from .context import Context, Plan
from .encoding import encode

# Columns whose codes belong to a scheme of LocationAlias (see places/models.py).
LOCATION_SCHEMES = {"codice regione": "istat", "fips": "fips"}
# Each validation's combinations already walked (a Context lives for one validation).
_WALKS: "weakref.WeakKeyDictionary[Context, dict[tuple[tuple[str, ...], tuple[str | None, ...]], Walk]]" = (
    weakref.WeakKeyDictionary()
)
SUM_INTO = "sum_into"  # column of the copies subplaces.with_parent_totals adds: the place they are added into


@dataclass
class Failure:
    """Why a row's location texts found no place."""

    text: str
    scope: Place | None  # the place it was looked for in
    why: str | None  # a Text (shown in any language), or "ambiguous: " and the places it may be
    sublocation: bool  # the most specific text is unknown while the places above it are known
    within: str  # the row's more general place texts, as written ("Canada")


@dataclass
class Walk:
    """One combination of location texts resolved, most general first."""

    chain: list[Place]  # the places found, in hierarchy (a territory under its sovereign starts anew)
    failed: Failure | None = None
    ignored: bool = False  # the mapping sends one of its texts to nothing

    @property
    def place(self) -> Place | None:
        return self.chain[-1] if self.chain else None


def _walk_location(ctx: Context, texts: list[str], manual: dict[str, str], schemes: list[str | None]) -> Walk:
    """Resolve one row's location texts, most general first."""
    scope: Place | None = ctx.country
    chain: list[Place] = []
    filled = [i for i, t in enumerate(texts) if t]
    for i in filled:
        text = texts[i]
        within = " / ".join(texts[j] for j in filled if j < i)
        path = normalise_name(" ".join(texts[j] for j in filled if j <= i))
        name = path if path in manual else normalise_name(text)
        if name in manual:
            key = manual[name]
            if not key:
                return Walk(chain, ignored=True)
            place = ctx.resolver.get(key)
            if place is None:
                why: str = Text(
                    gettext_noop("the mapping sends it to %(key)s, which is not a location key"), key=repr(key)
                )
                return Walk(chain, Failure(text, scope, why, False, within))
        else:
            try:
                place = ctx.resolver.resolve(text, scope=scope, scheme=schemes[i] if i < len(schemes) else None)
            except AmbiguousLocation as exc:
                why = "ambiguous: " + ", ".join(p.label for p in exc.places[:5])
                return Walk(chain, Failure(text, scope, why, False, within))
        if place is None:
            return Walk(chain, Failure(text, scope, None, bool(chain) and i == filled[-1], within))
        if scope is not None and place.id == scope.id:
            continue  # "Hong Kong" under Hong Kong: the place itself
        if scope is not None and not ctx.resolver.is_inside(place, scope):
            chain = []
        chain.append(place)
        scope = place
    return Walk(chain)


def location_columns(rows: pd.DataFrame) -> list[str]:
    """The long rows' location text columns (loc0, loc1 ...), most general first."""
    return sorted((c for c in rows.columns if re.fullmatch(r"loc\d+", str(c))), key=lambda c: int(c[3:]))


def _schemes(ctx: Context, plan: Plan | None) -> list[str | None]:
    """The alias scheme of each of a sheet's location columns (guessed from its name, or mapped)."""
    if plan is None:
        return []
    schemes = [LOCATION_SCHEMES.get(normalise_name(c)) for c in plan.location_columns]
    for column, scheme in (ctx.mapping.get("location_schemes") or {}).items():
        if column in plan.location_columns:
            schemes[plan.location_columns.index(column)] = scheme
    return schemes


def _encoded(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """A text column's codes and texts; a cell missing because the sheet has fewer location columns
    than another (rows of several sheets put together) reads as empty."""
    codes, texts = encode(column)
    if len(codes) and codes.min() < 0:
        if "" not in texts:
            texts = [*texts, ""]
        codes = np.where(codes < 0, texts.index(""), codes)
    return codes, texts


def walk_combinations(
    ctx: Context, rows: pd.DataFrame, plans: dict[str, Plan]
) -> tuple[np.ndarray, list[list[str]], list[Walk]]:
    """Each row's code for its combination of location texts, the texts of each combination, and each
    combination resolved once. Sheets read with different alias schemes are resolved apart."""
    columns = location_columns(rows)
    by_sheet = {name: _schemes(ctx, plan) for name, plan in plans.items() if plan.location_columns}
    apart = len({tuple(s) for s in by_sheet.values()}) > 1
    encoded = [_encoded(rows[c]) for c in columns]
    if apart:
        encoded.insert(0, _encoded(rows["sheet"]))
    if len(encoded) == 1:
        codes, texts = encoded[0]
        uniques = [[t] for t in texts]
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
            uniques.append(list(reversed(parts)))
    manual = {normalise_name(k): v for k, v in (ctx.mapping.get("locations") or {}).items()}
    common = next(iter(by_sheet.values()), [])
    walks = []
    done = _WALKS.setdefault(ctx, {})  # the rows are walked twice with "aggregate" (subplaces)
    for texts in uniques:
        schemes = by_sheet.get(texts[0], []) if apart else common
        key = (tuple(texts), tuple(schemes))
        if key not in done:
            done[key] = _walk_location(ctx, texts[1:] if apart else texts, manual, schemes)
        walks.append(done[key])
    if apart:
        uniques = [texts[1:] for texts in uniques]
    return np.asarray(codes), uniques, walks
