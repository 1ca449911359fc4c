"""The countries a normalised frame's values are in, and the rule that a national source's file
holds values of its own country only (reviewer scope is decided by these countries, never by a
field the submitter sets)."""

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from places.resolver import Place

from ..contracts import CountryValues
from ..parsing import problem
from ..texts import Text
from .context import Context


def place_counts(frame: pd.DataFrame) -> dict[int, int]:
    """How many values each place of the frame has (a count per id, no hashing or sort of the rows)."""
    if frame.empty:
        return {}
    counts = np.bincount(frame["location_id"].to_numpy())  # ids are small non-negative integers
    places = np.flatnonzero(counts)
    return dict(zip(places.tolist(), counts[places].tolist(), strict=True))


def countries_of(ctx: Context, counts: dict[int, int]) -> list[CountryValues]:
    """The countries of the values (a special place outside every country stands for itself), with how
    many values each has, by key; `counts` are the values per place (`place_counts`)."""
    per_country: dict[int, int] = {}
    found: dict[int, Place] = {}
    for pk, n in counts.items():
        country = ctx.resolver.country_of(ctx.resolver.places[pk])
        found[country.id] = country
        per_country[country.id] = per_country.get(country.id, 0) + n
    listed: list[CountryValues] = [
        {"key": found[pk].key, "name": found[pk].name, "values": n} for pk, n in per_country.items()
    ]
    return sorted(listed, key=lambda c: c["key"])


def check_inside(ctx: Context, frame: pd.DataFrame, country: Place, counts: dict[int, int]) -> None:
    """An error per place outside `country` (the country of a national source), naming its rows."""
    places_outside = [pk for pk in counts if ctx.resolver.country_of(ctx.resolver.places[pk]).id != country.id]
    if not places_outside:
        return
    outside = frame.loc[frame["location_id"].isin(places_outside), ["location_id", "row", "sheet"]]
    for (location_id, sheet), rows in outside.groupby(["location_id", "sheet"], observed=True, sort=True)["row"]:
        place = ctx.resolver.places[int(location_id)]
        home = ctx.resolver.country_of(place)
        listed = sorted({int(r) for r in rows})
        shown = ", ".join(str(r) for r in listed[:20]) + (", ..." if len(listed) > 20 else "")
        ctx.problems.add(
            problem(
                "location_outside_country",
                Text(
                    gettext_noop(
                        "Rows %(shown)s hold values for %(label)s, which is in %(name)s, not in %(name2)s: a file "
                        "of a source of %(name2)s may hold only values of %(name2)s. Upload them to a source of "
                        "%(name)s, or fix the places (and the column mapping) of these rows."
                    ),
                    shown=str(shown),
                    label=str(place.label),
                    name=str(home.name),
                    name2=str(country.name),
                ),
                value=place.key,
                sheet=str(sheet) or None,
            ),
            rows=listed,
        )
