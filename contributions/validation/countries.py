"""The countries a normalised frame's values are in, and the rule that a national source's file
holds values of its own country only (reviewer scope is decided by these countries, never by a
field the submitter sets)."""

import numpy as np
import pandas as pd

from places.resolver import Place

from ..contracts import CountryValues
from ..parsing import problem
from .context import Context


def _country_ids(ctx: Context, frame: pd.DataFrame) -> tuple[np.ndarray, dict[int, Place]]:
    """Each row's country id, and the countries by id."""
    ids, codes = np.unique(frame["location_id"].to_numpy(), return_inverse=True)
    countries = [ctx.resolver.country_of(ctx.resolver.places[int(pk)]) for pk in ids]
    table = np.array([c.id for c in countries], dtype="int64")
    return table[codes], {c.id: c for c in countries}


def countries_of(ctx: Context, frame: pd.DataFrame) -> list[CountryValues]:
    """The countries of the frame's values (a special place outside every country stands for itself),
    with how many values each has, by key."""
    if frame.empty:
        return []
    per_row, countries = _country_ids(ctx, frame)
    ids, counts = np.unique(per_row, return_counts=True)
    found: list[CountryValues] = [
        {"key": countries[int(pk)].key, "name": countries[int(pk)].name, "values": int(n)}
        for pk, n in zip(ids, counts, strict=True)
    ]
    return sorted(found, key=lambda c: c["key"])


def check_inside(ctx: Context, frame: pd.DataFrame, country: Place) -> None:
    """An error per place outside `country` (the country of a national source), naming its rows."""
    if frame.empty:
        return
    per_row, _ = _country_ids(ctx, frame)
    outside = frame.loc[per_row != country.id, ["location_id", "row", "sheet"]]
    for (location_id, sheet), rows in outside.groupby(["location_id", "sheet"], observed=True, sort=True)["row"]:
        place = ctx.resolver.places[int(location_id)]
        home = ctx.resolver.country_of(place)
        listed = sorted({int(r) for r in rows})
        shown = ", ".join(str(r) for r in listed[:20]) + (", ..." if len(listed) > 20 else "")
        ctx.problems.add(
            problem(
                "location_outside_country",
                f"Rows {shown} hold values for {place.label}, which is in {home.name}, not in {country.name}: "
                f"a file of a source of {country.name} may hold only values of {country.name}. Upload them to "
                f"a source of {home.name}, or fix the places (and the column mapping) of these rows.",
                value=place.key,
                sheet=str(sheet) or None,
            ),
            rows=listed,
        )
