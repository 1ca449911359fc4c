"""Unknown places inside known ones (US counties, Italy's "In fase di definizione/aggiornamento") when
the mapping adds them up into the place above ("aggregate") or leaves them out ("ignore").

With "aggregate", a parent with an unknown place inside it is *summed*: its values are the sums of all
its rows in the file, the unknown places' and those of the places inside it that we know, which keep
their own values too. The file's own rows for a parent win: when the file gives the parent itself, its
unknown places are left out rather than counted twice. Every such name is reported with its rows.

A known place's row counts in its own place and in its summed parent: `with_parent_totals` adds a copy
of each such row (column SUM_INTO: the parent's id) before the rows are normalised, and
resolution.resolve_locations sends each copy into its parent.
"""

import numpy as np
import pandas as pd

from ..parsing import problem
from .context import Context, Plan
from .encoding import encode
from .locations import SUM_INTO, Walk, location_columns, walk_combinations
from .problems import rows_by_code


def summed_parents(walked: list[Walk]) -> tuple[set[int], set[int]]:
    """(summed, given): the places with an unknown place inside them that the file does not give
    itself, and the places the file gives itself (a row ends there)."""
    given = {w.chain[-1].id for w in walked if w.chain and not w.failed and not w.ignored}
    incomplete = {w.chain[-1].id for w in walked if w.chain and w.failed and w.failed.sublocation}
    return incomplete - given, given


def _is_added(walk: Walk, summed: set[int]) -> bool:
    """An unknown place added into the summed place right above it."""
    return bool(walk.failed and walk.failed.sublocation and walk.chain and walk.chain[-1].id in summed)


def _totals_of(walk: Walk, summed: set[int], given: set[int]) -> list[int]:
    """The summed places above a row's own place (or above the parent an unknown place is added into)
    that it also counts in: up to the first place the file gives itself, whose own row counts for it."""
    if walk.ignored or not walk.chain or (walk.failed and not _is_added(walk, summed)):
        return []
    targets = []
    for place in reversed(walk.chain[:-1]):
        if place.id in given:
            break
        if place.id in summed:
            targets.append(place.id)
    return targets


def with_parent_totals(ctx: Context, rows: pd.DataFrame, plans: dict[str, Plan]) -> pd.DataFrame:
    """The long rows, and (with "aggregate") a copy of each non-empty row under a summed parent for each
    such parent it counts in. Rows added into a parent are summed as one group, whatever their column."""
    if ctx.mapping.get("unknown_sublocations") != "aggregate" or not location_columns(rows):
        return rows
    codes, _, walked = walk_combinations(ctx, rows, plans)
    summed, given = summed_parents(walked)
    if not summed:
        return rows
    positions = rows_by_code(codes, np.arange(len(rows)))
    picks, into = [], []
    for index, walk in enumerate(walked):
        targets = _totals_of(walk, summed, given)
        if targets and index in positions:
            at = positions[index]
            at = at[rows["raw_value"].iloc[at].astype("str").str.strip().ne("").to_numpy()]
            picks += [at] * len(targets)
            into += [np.full(len(at), target, dtype="int64") for target in targets]
    added = [index for index, walk in enumerate(walked) if _is_added(walk, summed)]
    out = rows.assign(**{SUM_INTO: np.full(len(rows), -1, dtype="int64")})
    if "group" in out and added:  # summed with the copies, not apart per source row
        out["group"] = np.where(np.isin(codes, added), 0, out["group"].to_numpy())
    if not picks:
        return out
    copies = rows.take(np.concatenate(picks))
    copies[SUM_INTO] = np.concatenate(into)
    if "group" in copies:
        copies["group"] = np.zeros(len(copies), dtype=out["group"].dtype)
    return pd.concat([out, copies], ignore_index=True)


def report_subplaces(
    ctx: Context, rows: pd.DataFrame, codes: np.ndarray, walked: list[Walk], plans: dict[str, Plan], summed: set[int]
) -> None:
    """One warning per parent and sheet naming every unknown place inside it that was added into it or
    left out, each with its number of rows. `codes`: each row's combination (-1 for a copy)."""
    _, given = summed_parents(walked)
    places = ctx.resolver.places
    known_inside: dict[int, set[int]] = {}
    for walk in walked:
        if not walk.failed and walk.chain:
            for target in _totals_of(walk, summed, given):
                known_inside.setdefault(target, set()).add(walk.chain[-1].id)
    names: dict[int, dict[str, list[int]]] = {}  # parent id -> unknown text -> combinations
    for index, walk in enumerate(walked):
        if walk.failed and walk.failed.sublocation and walk.chain and not walk.ignored:
            names.setdefault(walk.chain[-1].id, {}).setdefault(walk.failed.text, []).append(index)
    if not names:
        return
    grouped = rows_by_code(codes, np.arange(len(rows)))
    row_numbers = rows["row"].to_numpy()
    sheet_codes, sheet_names = encode(rows["sheet"])
    policy = ctx.mapping.get("unknown_sublocations")
    for parent_id, texts in names.items():
        parent = places[parent_id]
        by_sheet: dict[int, list[tuple[str, np.ndarray]]] = {}
        for text, indexes in texts.items():
            at = np.concatenate([grouped.get(i, np.zeros(0, dtype="int64")) for i in indexes])
            for sheet in np.unique(sheet_codes[at]).tolist():
                by_sheet.setdefault(sheet, []).append((text, np.unique(row_numbers[at[sheet_codes[at] == sheet]])))
        for sheet, found in by_sheet.items():
            listing = ", ".join(f"{text!r} ({len(r):,} row{'s' if len(r) != 1 else ''})" for text, r in found)
            count = f"{len(found):,} name{'s' if len(found) != 1 else ''} not known inside {parent.label}"
            if parent_id in summed:
                code = "sublocations_aggregated"
                known = len(known_inside.get(parent_id, ()))
                message = f"{count} {'were' if len(found) != 1 else 'was'} added into {parent.name}: {listing}." + (
                    f" {parent.name}'s values are the sums of all its rows in the file: these, and those of the "
                    f"{known:,} place{'s' if known != 1 else ''} inside it that we know, which keep their own "
                    "values too."
                    if known
                    else ""
                )
            elif policy == "aggregate":
                code = "sublocations_ignored"
                message = (
                    f"{parent.label} is given in the file itself, so {count[0].lower() + count[1:]} "
                    f"{'were' if len(found) != 1 else 'was'} left out rather than counted twice: {listing}. "
                    "Map a name to a place in 'locations' to keep its values."
                )
            else:
                code = "sublocations_ignored"
                message = f"{count} {'were' if len(found) != 1 else 'was'} left out, as the mapping asks: {listing}."
            name = sheet_names[sheet]
            column = ", ".join(plans[name].location_columns) if name in plans else None
            entry = problem(code, message, severity="warning", column=column, value=parent.key, sheet=name or None)
            entry["parent"] = parent.key
            ctx.problems.add(entry, rows=np.unique(np.concatenate([r for _, r in found])).tolist())
