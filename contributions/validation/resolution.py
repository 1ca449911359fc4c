"""Places and metrics: each distinct text of the file resolved once (a row gets a code into a small
table of ids), and each unknown or ambiguous one reported once with the rows that use it."""

import difflib

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from places.models import normalise_name

from ..column_names import METRIC_NAMES
from ..columns import metric_for_name
from ..parsing import problem
from ..texts import Param, Text, stored
from .context import Context, Plan
from .encoding import encode
from .locations import SUM_INTO, location_columns, walk_combinations
from .problems import rows_by_code
from .subplaces import report_subplaces, summed_parents

# How a row's location was found (int8 codes, to keep a million rows light). LEFT_OUT: an unknown place
# inside a known one that the mapping leaves out, or that its parent's own row already counts;
# subplaces.report_subplaces names each such place and its rows (normalise_rows drops them as it drops
# unknown ones).
DIRECT, AGGREGATED, IGNORED, ERROR, LEFT_OUT = 0, 1, 2, 4, 5
Unknown = dict[tuple[str, str | None, str | None, str], list[int]]  # (text, parent key, why, within) -> codes


def resolve_locations(
    ctx: Context, rows: pd.DataFrame, plans: dict[str, Plan]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's code and, per code, the location_id (-1 when unknown) and how the place was found;
    unknown names reported once each, and the unknown places inside known ones that the mapping adds
    up or leaves out named with their rows (subplaces.report_subplaces)."""
    policy = ctx.mapping.get("unknown_sublocations", "error")
    if not location_columns(rows):
        codes, sheets = encode(rows["sheet"])
        ids = np.array(
            [
                plan.location_constant.id if (plan := plans.get(name)) and plan.location_constant else -1
                for name in sheets
            ],
            dtype="int64",
        )
        return codes, ids, np.zeros(len(ids), dtype="int8")
    codes, _, walked = walk_combinations(ctx, rows, plans)
    copies = rows[SUM_INTO].to_numpy() >= 0 if SUM_INTO in rows else np.zeros(len(rows), dtype=bool)
    listed = np.where(copies, -1, codes)  # the rows each problem names: the file's, not the copies
    outcome_id, outcome_mode = np.full(len(walked), -1, dtype="int64"), np.full(len(walked), ERROR, dtype="int8")
    unknown: Unknown = {}
    summed, given = summed_parents(walked)
    for index, walk in enumerate(walked):
        failed, place = walk.failed, walk.place
        if walk.ignored:
            outcome_mode[index] = IGNORED
        elif failed and failed.sublocation and place is not None and policy in ("aggregate", "ignore"):
            if policy == "aggregate" and place.id in summed:
                outcome_id[index], outcome_mode[index] = place.id, AGGREGATED
            else:
                outcome_mode[index] = LEFT_OUT
        elif failed:
            unknown.setdefault(
                (failed.text, failed.scope.key if failed.scope else None, failed.why, failed.within), []
            ).append(index)
            if failed.sublocation:
                ctx.sublocations_unknown = True
        elif place is not None:
            outcome_id[index], outcome_mode[index] = place.id, DIRECT
        elif ctx.country is not None:
            outcome_id[index], outcome_mode[index] = ctx.country.id, DIRECT
    incomplete = {w.chain[-1].id for w in walked if w.failed and w.failed.sublocation and w.chain}
    ctx.incomplete_given_directly = bool(incomplete & given)
    _report_unknown_locations(ctx, rows, listed, plans, unknown)
    if policy in ("aggregate", "ignore"):
        report_subplaces(ctx, rows, listed, walked, plans, summed if policy == "aggregate" else set())
    if copies.any():  # copies of rows under a summed parent (subplaces.with_parent_totals): added into it
        targets, position = np.unique(rows[SUM_INTO].to_numpy()[copies], return_inverse=True)
        codes = codes.copy()
        codes[copies] = len(walked) + position
        outcome_id = np.concatenate([outcome_id, targets.astype("int64")])
        outcome_mode = np.concatenate([outcome_mode, np.full(len(targets), AGGREGATED, dtype="int8")])
    return codes, outcome_id, outcome_mode


def _report_unknown_locations(
    ctx: Context, rows: pd.DataFrame, codes: np.ndarray, plans: dict[str, Plan], unknown: Unknown
) -> None:
    """One problem per unknown or ambiguous text (with the row's more general texts) and sheet, with its
    rows, the place it was looked for in and the closest known names."""
    if not unknown:
        return
    grouped = rows_by_code(codes, np.arange(len(rows)))
    row_numbers = rows["row"].to_numpy()
    sheet_codes, sheet_names = encode(rows["sheet"])
    home = ctx.country.key if ctx.country else None
    for (text, parent_key, why, within), indexes in unknown.items():
        positions = np.concatenate([grouped.get(i, np.zeros(0, dtype="int64")) for i in indexes])
        if parent_key and parent_key != home and not (why and why.startswith("ambiguous")):
            ctx.sublocations_unknown = True  # an unknown place inside a known one
        if ctx.problems.over_cap("unknown_location", "error", np.unique(row_numbers[positions])):
            continue
        parent = ctx.resolver.get(parent_key) if parent_key else None
        suggestions: list[str] = []
        if why and why.startswith("ambiguous"):
            code, message = (
                "ambiguous_location",
                Text(
                    gettext_noop("%(text)s matches several places (%(places)s); map it to one."),
                    text=repr(text),
                    places=why[11:],
                ),
            )
        else:
            code = "unknown_location"
            suggestions = ctx.resolver.suggest(text, scope=parent)
            message = _unknown_location(text, parent.name if parent else None, within, why, suggestions)
        for sheet_code in dict.fromkeys(sheet_codes[positions].tolist()):
            sheet = sheet_names[sheet_code]
            column = plans[sheet].location_columns if sheet in plans else []
            entry = problem(code, message, column=", ".join(column), value=text, sheet=sheet or None)
            entry["suggestions"] = suggestions
            entry["parent"] = parent_key
            entry["within"] = within
            in_sheet = positions[sheet_codes[positions] == sheet_code]
            ctx.problems.add(entry, rows=np.unique(row_numbers[in_sheet]).tolist())


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
                Text(
                    gettext_noop("Unknown metric %(text)s; did you mean %(close)s?"),
                    text=repr(text),
                    close=", ".join(close),
                )
                if close
                else Text(
                    gettext_noop("Unknown metric %(text)s; known: %(known)s."),
                    text=repr(text),
                    known=", ".join(sorted(ctx.metrics)),
                ),
                column=plans[where["sheet"].iloc[0]].metric_column or "metric",
                value=text,
                sheet=where["sheet"].iloc[0] or None,
            ),
            rows=where["row"].tolist(),
        )
    return codes, ids


def _unknown_location(
    text: str, parent: str | None, within: str | None, why: str | None, suggestions: list[str]
) -> Text:
    """Unknown location 'text', in its parent or under the file's more general place, and the closest keys."""
    # the mapping sends it to a key that is not a location's
    texts: dict[str, Param] = {
        "text": repr(text),
        "why": stored(Text(gettext_noop(" (%(why)s)"), why=stored(why))) if why else "",
    }
    if suggestions:
        texts["suggestions"] = ", ".join(suggestions)
        if parent:
            return Text(
                gettext_noop("Unknown location %(text)s in %(parent)s%(why)s; closest known: %(suggestions)s."),
                parent=parent,
                **texts,
            )
        if within:
            return Text(
                gettext_noop(
                    "Unknown location %(text)s (under %(within)s in the file)%(why)s; closest known: %(suggestions)s."
                ),
                within=repr(within),
                **texts,
            )
        return Text(gettext_noop("Unknown location %(text)s%(why)s; closest known: %(suggestions)s."), **texts)
    if parent:
        return Text(
            gettext_noop("Unknown location %(text)s in %(parent)s%(why)s; no close match."), parent=parent, **texts
        )
    if within:
        return Text(
            gettext_noop("Unknown location %(text)s (under %(within)s in the file)%(why)s; no close match."),
            within=repr(within),
            **texts,
        )
    return Text(gettext_noop("Unknown location %(text)s%(why)s; no close match."), **texts)
