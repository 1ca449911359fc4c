"""Small pieces of the mapping form: what a column may hold and what it holds at first, the
place-key input the search script enhances, and the places behind a set of keys."""

from collections.abc import Collection, Iterable

from django import forms
from django.utils.translation import gettext

from places.models import Location, Metric

from ..contracts import ColumnMapping
from .report import LOCATION_ROLES


class PlaceKeyInput(forms.TextInput):
    """A location key, typed or found with static/js/place-search.js (which asks `search_url`, the
    public locations API). `choice` is the id of the select to set to "other" when a place is picked."""

    input_type = "search"

    def __init__(self, search_url: str, choice: str | None = None) -> None:
        attrs = {
            "class": "place-key",
            "data-place-search": search_url,
            "autocomplete": "off",
            "spellcheck": "false",
            "placeholder": gettext("Search a place, or type its key"),
        }
        if choice:
            attrs["data-choice"] = choice
        super().__init__(attrs)


def known_keys(keys: Iterable[str | None]) -> dict[str, Location]:
    """The places of these keys, by upper-case key (keys are compared without case)."""
    wanted = {str(k).strip().upper() for k in keys if k and str(k).strip()}
    if not wanted:
        return {}
    found = Location.objects.filter(key__in=wanted).select_related("parent")
    return {location.key.upper(): location for location in found}


def place_label(key: str, known: dict[str, Location]) -> str:
    """ "Lombardia (IT_25), in Italy" for a known key; the key itself otherwise."""
    location = known.get(key.upper())
    if location is None:
        return key
    if location.parent:
        return gettext("%(name)s (%(key)s), in %(parent)s") % {
            "name": location.name,
            "key": location.key,
            "parent": location.parent.name,
        }
    return f"{location.name} ({location.key})"


def role_choices() -> list[tuple[str, str]]:
    metrics = [
        (f"metric:{m.code}", gettext("Values of: %(metric)s") % {"metric": m.name}) for m in Metric.objects.all()
    ]
    return [
        ("ignore", gettext("Ignore this column")),
        ("date", gettext("Date")),
        ("location", gettext("Place (country, region or area)")),
        ("metric_name", gettext("Name of the metric (long files)")),
        ("value", gettext("Value (long files)")),
        ("place_values", gettext("Values of one place (one column per place)")),
        *metrics,
    ]


def initial_role(
    column: str,
    detected_role: str | None,
    mapping: ColumnMapping,
    places: dict[str, str],
    metric_codes: Collection[str] | None = None,
) -> str:
    """The role a column's select starts with: the mapping's, else the one detected."""
    if column in (mapping.get("ignore") or []):
        return "ignore"
    if mapping.get("date_column") == column:
        return "date"
    if column in (mapping.get("location_columns") or []):
        return "location"
    if mapping.get("metric_column") == column:
        return "metric_name"
    if mapping.get("value_column") == column:
        return "value"
    metric = (mapping.get("metrics") or {}).get(column)
    if metric:
        return f"metric:{metric}"
    if metric == "" or places.get(column) == "":
        return "ignore"
    if detected_role == "place":
        return "place_values"
    if detected_role in LOCATION_ROLES:
        return "location"
    if detected_role in ("date", "value"):
        return detected_role
    if detected_role == "metric":
        return "metric_name"
    codes = metric_codes if metric_codes is not None else set(Metric.objects.values_list("code", flat=True))
    if detected_role and detected_role in codes:
        return f"metric:{detected_role}"  # a metric's column, which may also have a place ("confirmados_acores")
    return "place_values" if places.get(column) else "ignore"
