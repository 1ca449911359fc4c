"""Places named in the reader's language (issue 21).

Countries: CLDR's territory names (through Babel), the names the Unicode consortium keeps for display
in each language; pycountry's ISO 3166-1 catalogue for a code CLDR lacks. pycountry's country
catalogues were measured against CLDR and lost: they give ISO's inverted sorting forms ("Russie,
Fédération de", "Bolivia, Estado plurinacional de") and misspellings ("Burquina Faso", "波利维亚").
Subdivisions: pycountry's ISO 3166-2 catalogue (CLDR's subdivision names are not in Babel).
English, and anything with no translation (ships, events, counties, a subdivision no catalogue
covers), keeps the stored name.

Keys are the reference data's (places/reference.py): an ISO 3166-1 alpha-2 code for a country ("IT"),
the ISO 3166-2 code with "_" for "-" for a subdivision ("IT_25" is "IT-25").
"""

import gettext
import os
from functools import cache, lru_cache
from typing import Any

import pycountry
from babel import Locale, UnknownLocaleError
from django.utils import translation

from .reference import EXTRA_COUNTRIES

EXTRA_COUNTRY_CODES = frozenset(alpha2 for alpha2, _, _ in EXTRA_COUNTRIES)  # Kosovo

SOURCE_LANGUAGE = "en"  # the stored names are English (ISO's and pycountry's)
# A language of the portal as Babel (CLDR) and pycountry's catalogues name it, when not its Django locale.
CLDR_LOCALES = {"pt": "pt_PT", "zh_Hans": "zh_Hans"}  # Django's "pt" is European Portuguese; CLDR's "pt" Brazil's
PYCOUNTRY_LOCALES = {"zh_Hans": "zh_CN"}


@cache
def _cldr_territories(language: str) -> dict[str, str]:
    locale_name = translation.to_locale(language)
    try:
        return dict(Locale.parse(CLDR_LOCALES.get(locale_name, locale_name)).territories)
    except (UnknownLocaleError, ValueError):
        return {}


@cache
def _iso_catalogue(domain: str, language: str) -> gettext.NullTranslations:
    """pycountry's catalogue of `domain` (iso3166-1, iso3166-2) in `language`; a null one when none."""
    locale_name = translation.to_locale(language)
    root = os.path.join(os.path.dirname(pycountry.__file__), "locales")
    return gettext.translation(domain, root, [PYCOUNTRY_LOCALES.get(locale_name, locale_name)], fallback=True)


def _iso_translation(domain: str, msgid: str, language: str) -> str:
    translated = _iso_catalogue(domain, language).gettext(msgid)
    return translated if translated != msgid else ""


def _country_name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None and code not in EXTRA_COUNTRY_CODES:
        return ""  # CLDR also names regions that are no country ("ZZ": "Unknown Region", "EU", "UN")
    found = _cldr_territories(language).get(code)
    if found or country is None:
        return found or ""
    for msgid in (getattr(country, "common_name", None), country.name):
        if msgid and (translated := _iso_translation("iso3166-1", msgid, language)):
            return translated
    return ""


@cache
def _iso_subdivision_names() -> dict[str, str]:
    """ISO 3166-2 code -> its name in pycountry (the catalogue's msgid)."""
    return {subdivision.code: subdivision.name for subdivision in pycountry.subdivisions}


def _subdivision_name(key: str, language: str) -> str:
    iso_name = _iso_subdivision_names().get(key.replace("_", "-", 1))
    return _iso_translation("iso3166-2", iso_name, language) if iso_name else ""


@lru_cache(maxsize=20_000)
def localised_place_name(key: str, name: str, language: str) -> str:
    """The name of the place `key` in `language` (a code of settings.LANGUAGES); `name`, the stored
    one, when the language is English or no source translates it. "IT", "Italy", "fr" -> "Italie"."""
    if not key or not language or language.lower().split("-")[0] == SOURCE_LANGUAGE:
        return name
    if len(key) == 2 and key.isalpha() and key.isupper():
        found = _country_name(key, language)
    elif "_" in key and len(key.split("_")) == 2:
        found = _subdivision_name(key, language)
    else:
        found = ""
    return found or name


def place_name(place: Any, language: str | None = None) -> str:
    """The name of `place` (a Location, anything with `key` and `name`, or a dict with "key" and "name")
    in `language`, by default the active one."""
    if place is None or place == "":
        return ""
    if isinstance(place, dict):
        key, name = place.get("key") or "", place.get("name") or ""
    else:
        key, name = getattr(place, "key", "") or "", getattr(place, "name", "") or ""
    if not name:
        return str(key or place)
    return localised_place_name(str(key), str(name), language or translation.get_language() or SOURCE_LANGUAGE)
