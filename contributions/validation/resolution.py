"""Places and metrics: each distinct text of the file resolved once (a row gets a code into a small
table of ids), and each unknown or ambiguous one reported once with the rows that use it."""

import difflib

import numpy as np
import pandas as pd

from places.models import normalise_name
from places.resolver import AmbiguousLocation, Place

from ..column_names import METRIC_NAMES
from ..columns import metric_for_name
from ..parsing import problem
from .context import Context, Plan
from .encoding import encode
from .problems import rows_by_code

# Columns whose codes belong to a scheme of LocationAlias (see places/models.py).
LOCATION_SCHEMES = {"codice regione": "istat", "fips": "fips"}
# How a row's location was found (int8 codes, to keep a million rows light).
DIRECT, AGGREGATED, IGNORED, UNPLACED, ERROR = 0, 1, 2, 3, 4
# Why a row's location texts found no place: (text, the place it was looked for in, why or None,
# whether it is an unknown place inside a known one).
Failure = tuple[str, Place | None, str | None, bool]
Unknown = dict[tuple[str, str | None, str | None], list[int]]  # (text, parent key, why) -> codes


def _walk_location(
    ctx: Context, texts: list[str], manual: dict[str, str], schemes: list[str | None]
) -> tuple[list[Place], Failure | None, bool]:
    """Resolve one row's location texts, most general first.

    Returns (chain, failed, ignored): the places found, in hierarchy (a territory listed under its
    sovereign country starts a new chain); failed = (text, scope, why, is_unknown_sublocation) or None."""
    scope: Place | None = ctx.country
    chain: list[Place] = []
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


def resolve_locations(
    ctx: Context, rows: pd.DataFrame, plans: dict[str, Plan]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's code and, per code, the location_id (-1 when unknown) and how the place was found;
    unknown names reported once each."""
    loc_columns = sorted(c for c in rows.columns if c.startswith("loc"))
    manual = {normalise_name(k): v for k, v in (ctx.mapping.get("locations") or {}).items()}
    policy = ctx.mapping.get("unknown_sublocations", "error")
    if not loc_columns:
        codes, sheets = encode(rows["sheet"])
        ids = np.array(
            [
                plan.location_constant.id if (plan := plans.get(name)) and plan.location_constant else -1
                for name in sheets
            ],
            dtype="int64",
        )
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
    unknown: Unknown = {}
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
        chain and not failed and chain[-1].id in incomplete for chain, failed, _ in walked
    )
    _report_unknown_locations(ctx, rows, codes, plans, unknown)
    return codes, outcome_id, outcome_mode


def _report_unknown_locations(
    ctx: Context, rows: pd.DataFrame, codes: np.ndarray, plans: dict[str, Plan], unknown: Unknown
) -> None:
    """One problem per unknown or ambiguous text, with its rows and the closest known names."""
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
            message = (
                f"Unknown location {text!r}"
                + (f" in {parent.name}" if parent else "")
                + (f" ({why})" if why else "")
                + (f"; closest known: {', '.join(suggestions)}." if suggestions else ".")
            )
        column = plans[where["sheet"].iloc[0]].location_columns
        entry = problem(code, message, column=", ".join(column), value=text, sheet=where["sheet"].iloc[0] or None)
        entry["suggestions"] = suggestions
        ctx.problems.add(entry, rows=where["row"].tolist())
        if code == "unknown_location" and parent_key and parent_key != (ctx.country.key if ctx.country else None):
            ctx.sublocations_unknown = True


def resolve_metrics(ctx: Context, rows: pd.DataFrame, plans: dict[str, Plan]) -> tuple[np.ndarray, np.ndarray]:
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
        ctx.problems.add(
            problem(
                "unknown_metric",
                f"Unknown metric {text!r}"
                + (f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(ctx.metrics))}."),
                column=plans[where["sheet"].iloc[0]].metric_column or "metric",
                value=text,
                sheet=where["sheet"].iloc[0] or None,
            ),
            rows=where["row"].tolist(),
        )
    return codes, ids
