"""`{% load places %}`: `{{ location|place_name }}`, a place's name in the reader's language."""

from typing import Any

from django import template

from places import localised_names

register = template.Library()


@register.filter
def place_name(place: Any) -> str:
    """`{{ location|place_name }}`: the name of a Location (or anything with `key` and `name`, or a dict
    with "key" and "name") in the active language; the stored name when no source translates it."""
    return localised_names.place_name(place)
