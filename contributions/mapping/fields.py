"""Small pieces of the mapping form: the place-key input the search script enhances, and the
places behind a set of keys."""

from collections.abc import Iterable

from django import forms

from places.models import Location


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
            "placeholder": "Search a place, or type its key",
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
    return f"{location.name} ({location.key})" + (f", in {location.parent.name}" if location.parent else "")
