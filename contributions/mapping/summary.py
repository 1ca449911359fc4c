"""What a mapping says about places, in a few lines a reviewer reads next to the diff per country."""

from ..contracts import ColumnMapping, ValidationReport

# The mapping keys that decide where values land.
PLACE_KEYS = ("location", "sheet_as_location", "locations", "location_columns", "location_schemes", "column_places")


def place_mapping(mapping_or_report: ColumnMapping | ValidationReport | dict | None) -> dict:
    """What a mapping (the one a report applied, or a recipe's) says about places: a constant place,
    names sent to other places (or left out), the place columns, the place of each column of values,
    and summing or leaving out unknown sub-places. Empty when the mapping does not touch places."""
    given = dict(mapping_or_report or {})
    mapping = given.get("mapping", given) if "valid" in given else given
    found = {key: mapping[key] for key in PLACE_KEYS if mapping.get(key)}
    if mapping.get("unknown_sublocations") in ("aggregate", "ignore"):
        found["unknown_sublocations"] = mapping["unknown_sublocations"]
    return found
