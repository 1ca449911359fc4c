"""The mapping form's answers turned into a contracts.ColumnMapping.

The saved mapping replaces the volunteer's earlier one, and validation lays it over the source's
recipe key by key. So: a list the page shows only part of (places, row filters, columns) keeps the
entries the page does not show; a recipe's value the volunteer took away is set to None, or the
recipe would bring it back; and settings the page has no field for are kept as they were.
"""

from typing import TYPE_CHECKING, Any, cast

from places.models import normalise_name

from ..contracts import ColumnMapping

if TYPE_CHECKING:
    from .form import MappingForm
    from .report import UnknownPlace

DICT_KEYS = ("locations", "keep_rows", "column_places", "metrics", "location_schemes")
GENERALITY = {"country": 0, "region": 1, "subregion": 2}  # location columns go most general first
# Keys the page always shows a field for: leaving one empty is the volunteer's answer.
FIELD_KEYS = frozenset(
    {
        "layout",
        "date_column",
        "date_format",
        "date",
        "location_columns",
        "location",
        "sheet_as_location",
        "unknown_sublocations",
        "metric_column",
        "value_column",
        "metric",
        "ignore",
    }
)


def build_mapping(form: "MappingForm") -> ColumnMapping:
    data = form.cleaned_data
    use_recipe = bool(data.get("use_recipe")) if "use_recipe" in form.fields else True
    cleared = set(data.get("clear_recipe") or []) if use_recipe else set()
    mapping: dict[str, Any] = {"layout": data["layout"]}
    decided = set(FIELD_KEYS)  # keys the page answers, with a value or by leaving it out

    def earlier(key: str) -> dict:
        """A list's entries as they stood: with the recipe's unless it is off or this key is cleared."""
        own = form.own.get(key) or {}
        return dict(own if not use_recipe or key in cleared else form.applied.get(key) or own)

    locations_of_columns: list[tuple[int, int, str]] = []
    metrics, places, ignore = {}, {}, []
    for index, (column, detected_role) in enumerate(form.columns):
        role, place = data[f"column_{index}"], data.get(f"column_{index}_place") or ""
        if role == "date":
            mapping["date_column"] = column
        elif role == "location":
            locations_of_columns.append((GENERALITY.get(detected_role or "", len(GENERALITY)), index, column))
        elif role == "metric_name":
            mapping["metric_column"] = column
        elif role == "value":
            mapping["value_column"] = column
        elif role.startswith("metric:"):
            metrics[column] = role.split(":", 1)[1]
            if place:
                places[column] = place
        elif role == "place_values":
            places[column] = place
        else:
            ignore.append(column)
            if data["layout"] == "wide_metric":
                metrics[column] = ""
            if data["layout"] == "wide_place" and (detected_role == "place" or column in form.column_places):
                places[column] = ""
    if locations_of_columns:
        mapping["location_columns"] = [column for _, _, column in sorted(locations_of_columns)]
    if ignore:
        mapping["ignore"] = ignore
    shown = {column for column, _ in form.columns}
    # Entries for columns the page did not list (past its first columns) are kept; a column that
    # is not in the file is not carried over.
    carried = {c for c in form.file_columns if c not in shown}
    if data["layout"] == "wide_metric":
        decided.add("metrics")
        mapping["metrics"] = {**{c: m for c, m in earlier("metrics").items() if c in carried}, **metrics}
    decided.add("column_places")
    mapping["column_places"] = {**{c: p for c, p in earlier("column_places").items() if c in carried}, **places}

    for key in ("date_format", "location", "metric", "unknown_sublocations"):
        if data.get(key):
            mapping[key] = data[key]
    if data.get("date"):
        mapping["date"] = data["date"].isoformat()
    if data.get("sheet_as_location"):
        mapping["sheet_as_location"] = True

    if form.show_sheets:
        decided.add("sheets")
        listed = [s.name for s in form.sheet_list]
        chosen = [name for name in listed if name in (data.get("sheets") or [])]
        if not data.get("all_sheets") and chosen != listed:  # every sheet ticked: read them all
            mapping["sheets"] = chosen
    if form.filters:
        decided.add("keep_rows")
        mapping["keep_rows"] = _keep_rows(form, data, earlier("keep_rows"))
    if form.all_places:
        decided.add("locations")
        mapping["locations"] = _locations(form, data, earlier("locations"))

    mapping = {k: v for k, v in mapping.items() if v not in ({}, [], "", None)}
    for key, value in form.own.items():  # settings the page has no field for, as the volunteer gave them
        kept = key not in cleared or key in DICT_KEYS  # a cleared list loses the recipe's entries only
        if key not in decided and key not in mapping and key != "use_recipe" and kept:
            mapping[key] = value
    if not use_recipe:
        mapping["use_recipe"] = False
        return cast(ColumnMapping, mapping)
    for key in form.recipe.get("keys") or [] if form.recipe else []:
        if (key in cleared or key in decided) and key not in mapping:
            mapping[key] = None
    return cast(ColumnMapping, mapping)


def _keep_rows(form: "MappingForm", data: dict, earlier: dict) -> dict[str, list[str]]:
    """column -> values to keep: a filter only when some (not all, not none) of its values are ticked."""
    kept = {column: list(values) for column, values in earlier.items()}
    for index, (column, values) in enumerate(form.filters):
        ticked = [v for v in values if v in (data.get(f"keep_{index}") or [])]
        kept.pop(column, None)
        if ticked and len(ticked) < len(values):
            kept[column] = ticked
    return kept


def _locations(form: "MappingForm", data: dict, earlier: dict) -> dict[str, str]:
    """text (or "Parent / text") -> key or "" for the names shown, over the entries the page did not
    show; "leave out every name not decided" also covers the names listed past the form's fields."""
    shown = {normalise_name(t) for p in form.all_places for t in (p.text, p.scoped_text)}
    locations = {text: key for text, key in earlier.items() if normalise_name(text) not in shown and key is not None}
    for index, place in enumerate(form.places):
        target = data.get(f"place_{index}_target")
        if target is None and data.get("leave_out_rest"):
            target = ""
        if target is not None:
            locations[place.scoped_text if data.get(f"place_{index}_scoped") else place.text] = target
    for place in form.more_places:  # not shown: an earlier answer stays as it was
        entry = _entry_for(place, earlier)
        if data.get("leave_out_rest"):
            locations[place.scoped_text] = ""
        elif entry:
            locations[entry[0]] = entry[1]
    return locations


def _entry_for(place: "UnknownPlace", earlier: dict) -> tuple[str, str] | None:
    """The earlier entry that answered this name (limited to its place above, or not), if any."""
    for text in (place.scoped_text, place.text):
        for given, key in earlier.items():
            if normalise_name(given) == normalise_name(text) and key is not None:
                return given, key
    return None
