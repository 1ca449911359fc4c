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
from django.utils.translation import gettext_noop

from places.resolver import Place

from ..parsing import problem
from ..texts import Param, Text, listing, stored
from .context import Context, Plan
from .encoding import encode
from .locations import SUM_INTO, Walk, location_columns, walk_combinations
from .problems import rows_by_code

MAX_NAMES_LISTED = 1_000  # names listed in one warning; the CSV of rows names every row's


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
    left out (up to MAX_NAMES_LISTED), each with its number of rows; a row left out is listed in the CSV
    of rows with a problem, with its own name. `codes`: each row's combination (-1 for a copy)."""
    _, given = summed_parents(walked)
    known_inside: dict[int, set[int]] = {}
    for walk in walked:
        if not walk.failed and walk.chain:
            for target in _totals_of(walk, summed, given):
                known_inside.setdefault(target, set()).add(walk.chain[-1].id)
    pairs: dict[tuple[int, str], int] = {}  # (parent id, unknown text) -> its number
    pair_of = np.full(len(walked) + 1, -1, dtype="int64")  # per combination; a copy's code, -1, reads the last
    for index, walk in enumerate(walked):
        if walk.failed and walk.failed.sublocation and walk.chain and not walk.ignored:
            pair_of[index] = pairs.setdefault((walk.chain[-1].id, walk.failed.text), len(pairs))
    if not pairs:
        return
    sheet_codes, sheet_names = encode(rows["sheet"])
    pair = pair_of[codes]
    listed = pair >= 0
    row_numbers = rows["row"].to_numpy()[listed].astype("int64")
    # One key per (name, sheet, row): distinct rows, in order of name, sheet and row.
    span = int(row_numbers.max()) + 1 if len(row_numbers) else 1
    keys = np.unique((pair[listed] * len(sheet_names) + sheet_codes[listed]) * span + row_numbers)
    name_sheet, found_rows = np.divmod(keys, span)
    found_pair, found_sheet = np.divmod(name_sheet, len(sheet_names))
    by_pair = list(pairs)
    parent_of_found = np.array([by_pair[p][0] for p in found_pair.tolist()], dtype="int64")
    order = np.lexsort((found_rows, found_pair, found_sheet, parent_of_found))
    groups = np.stack([parent_of_found[order], found_sheet[order]], axis=1)
    starts = np.flatnonzero(np.any(np.diff(groups, axis=0) != 0, axis=1)) + 1
    for at in np.split(order, starts):
        parent = ctx.resolver.places[int(parent_of_found[at[0]])]
        names, counts = np.unique(found_pair[at], return_counts=True)
        listed_names = [(by_pair[int(p)][1], int(n)) for p, n in zip(names, counts, strict=True)]
        known = len(known_inside.get(parent.id, ()))
        code, message, row_msgid = _subplace_message(ctx, parent, listed_names, known, summed)
        sheet_name = sheet_names[int(found_sheet[at[0]])]
        column = ", ".join(plans[sheet_name].location_columns) if sheet_name in plans else None
        entry = problem(code, message, severity="warning", column=column, value=parent.key, sheet=sheet_name or None)
        entry["parent"] = parent.key
        row_order = at[np.argsort(found_rows[at], kind="stable")]
        if parent.id in summed:  # their values are taken, in the parent's total
            ctx.problems.add_note(entry, found_rows[row_order])
            continue
        ctx.problems.add(
            entry,
            rows=found_rows[row_order].tolist(),
            row_messages=[
                Text(row_msgid, name=repr(by_pair[p][1]), parent=parent.label, place=parent.name)
                for p in found_pair[row_order].tolist()
            ],
        )


def _subplace_message(
    ctx: Context, parent: Place, found: list[tuple[str, int]], known: int, summed: set[int]
) -> tuple[str, Text, str]:
    """The code, message and the msgid of a left-out row's message (params name, parent and place) for
    the unknown places found inside `parent` (`known`: how many places inside it that we know count in
    its total)."""
    items = [
        Text.ngettext(
            "%(name)s (%(count)s row)",
            "%(name)s (%(count)s rows)",
            n,
            name=repr(text),
            count=f"{n:,}",
        )
        for text, n in found[:MAX_NAMES_LISTED]
    ]
    names: Param = listing(items)
    if len(found) > MAX_NAMES_LISTED:
        names = stored(
            Text(
                gettext_noop("%(listing)s and %(count)s more (each named in the file of rows with a problem)"),
                listing=names,
                count=f"{len(found) - MAX_NAMES_LISTED:,}",
            )
        )
    said: dict[str, Param] = {"count": f"{len(found):,}", "parent": parent.label, "name": parent.name, "listing": names}
    if parent.id in summed:
        if not known:
            return (
                "sublocations_aggregated",
                Text.ngettext(
                    "%(count)s name not known inside %(parent)s was added into %(name)s: %(listing)s.",
                    "%(count)s names not known inside %(parent)s were added into %(name)s: %(listing)s.",
                    len(found),
                    **said,
                ),
                "",
            )
        sums = Text.ngettext(
            "%(name)s's values are the sums of all its rows in the file: these, and those of the %(known)s place "
            "inside it that we know, which keeps its own values too.",
            "%(name)s's values are the sums of all its rows in the file: these, and those of the %(known)s places "
            "inside it that we know, which keep their own values too.",
            known,
            name=parent.name,
            known=f"{known:,}",
        )
        return (
            "sublocations_aggregated",
            Text.ngettext(
                "%(count)s name not known inside %(parent)s was added into %(name)s: %(listing)s. %(sums)s",
                "%(count)s names not known inside %(parent)s were added into %(name)s: %(listing)s. %(sums)s",
                len(found),
                sums=stored(sums),
                **said,
            ),
            "",
        )
    if ctx.mapping.get("unknown_sublocations") == "aggregate":
        return (
            "sublocations_ignored",
            Text.ngettext(
                "%(parent)s is given in the file itself, so %(count)s name not known inside %(parent)s was left "
                "out rather than counted twice: %(listing)s. Map a name to a place in 'locations' to keep its "
                "values.",
                "%(parent)s is given in the file itself, so %(count)s names not known inside %(parent)s were "
                "left out rather than counted twice: %(listing)s. Map a name to a place in 'locations' to keep its "
                "values.",
                len(found),
                **said,
            ),
            gettext_noop(
                "%(name)s is not known inside %(parent)s: left out, as %(place)s is given in the file itself."
            ),
        )
    return (
        "sublocations_ignored",
        Text.ngettext(
            "%(count)s name not known inside %(parent)s was left out, as the mapping asks: %(listing)s.",
            "%(count)s names not known inside %(parent)s were left out, as the mapping asks: %(listing)s.",
            len(found),
            **said,
        ),
        gettext_noop("%(name)s is not known inside %(parent)s: left out, as the mapping asks."),
    )
