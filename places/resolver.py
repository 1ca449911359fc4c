"""Resolve the location names and codes found in uploaded files to our `Location` rows.

`LocationResolver()` loads every location and alias in two queries, then resolves any number of
texts in memory: by key (`IT_25`), ISO 3166-2 code (`IT-25`, or `CA` inside the US), ISO alpha-2
and alpha-3, alias (`LocationAlias.normalised`), then name, each compared with `normalise_name`.
With a `scope` (a country or region already resolved) only places inside it match, except that a
"region" which is itself a country or territory (JHU lists the Faroe Islands under Denmark) resolves
to that country. `suggest()` proposes the closest known names (difflib) for an unknown one.

EXTRA_ALIASES are names official sources use that ISO does not: Italy's Protezione Civile writes
"P.A. Trento" for the autonomous province IT-TN and numbers regions with its own `codice_regione`
(ISTAT codes, with 21 and 22 for the two autonomous provinces).
"""

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from .models import Location, LocationAlias, normalise_name

# (scheme, text, location key)
EXTRA_ALIASES = [
    ("name", "P.A. Trento", "IT_TN"),
    ("name", "Provincia autonoma di Trento", "IT_TN"),
    ("name", "Trentino", "IT_TN"),
    ("name", "P.A. Bolzano", "IT_BZ"),
    ("name", "Provincia autonoma di Bolzano", "IT_BZ"),
    ("name", "Alto Adige", "IT_BZ"),
    ("name", "Südtirol", "IT_BZ"),
    ("name", "Bozen", "IT_BZ"),
    ("name", "Valle d'Aosta/Vallée d'Aoste", "IT_23"),
    ("name", "Emilia Romagna", "IT_45"),
    ("name", "Friuli-Venezia Giulia", "IT_36"),
    ("name", "Trentino-Südtirol", "IT_32"),
    ("name", "Apulia", "IT_75"),
    ("name", "Sicily", "IT_82"),
    ("name", "Sardinia", "IT_88"),
    ("name", "Lombardy", "IT_25"),
    ("name", "Piedmont", "IT_21"),
    ("name", "Tuscany", "IT_52"),
    ("name", "Aosta Valley", "IT_23"),
    ("name", "Abuja FCT", "NG_FC"),
    ("name", "FCT", "NG_FC"),
    ("name", "Diamond Princess cruise ship", "SHIP_DIAMOND_PRINCESS"),
    ("name", "Pitcairn Islands", "PN"),
    ("name", "Inner Mongolia", "CN_NM"),
    ("name", "Tibet", "CN_XZ"),
    ("name", "Moscow", "RU_MOW"),
    ("name", "Saint Petersburg", "RU_SPE"),
    # Protezione Civile's codice_regione (ISTAT region codes; 21/22 are the autonomous provinces)
    ("istat", "01", "IT_21"),
    ("istat", "02", "IT_23"),
    ("istat", "03", "IT_25"),
    ("istat", "04", "IT_32"),
    ("istat", "05", "IT_34"),
    ("istat", "06", "IT_36"),
    ("istat", "07", "IT_42"),
    ("istat", "08", "IT_45"),
    ("istat", "09", "IT_52"),
    ("istat", "10", "IT_55"),
    ("istat", "11", "IT_57"),
    ("istat", "12", "IT_62"),
    ("istat", "13", "IT_65"),
    ("istat", "14", "IT_67"),
    ("istat", "15", "IT_72"),
    ("istat", "16", "IT_75"),
    ("istat", "17", "IT_77"),
    ("istat", "18", "IT_78"),
    ("istat", "19", "IT_82"),
    ("istat", "20", "IT_88"),
    ("istat", "21", "IT_BZ"),
    ("istat", "22", "IT_TN"),
]

# Words naming the kind of subdivision, which files usually leave out ("Hubei" for "Hubei Sheng").
TYPE_WORDS = {
    "sheng",
    "shi",
    "zizhiqu",
    "zhuangzu",
    "huizu",
    "uygur",
    "sar",
    "oblast",
    "kray",
    "krai",
    "respublika",
    "avtonomnaya",
    "lan",
    "province",
    "prefecture",
    "region",
    "state",
    "department",
    "governorate",
    "gewest",
}


def short_names(name: str) -> set[str]:
    """Shorter forms of an official name: without a bracketed part, the part before a comma, and
    without the kind of subdivision ("Madrid, Comunidad de" -> "madrid"; "Hubei Sheng" -> "hubei")."""
    variants = {re.sub(r"\s*\[.*?\]", "", name), name.split(",")[0]}
    out = set()
    for variant in variants:
        words = normalise_name(variant).split()
        while len(words) > 1 and words[-1] in TYPE_WORDS:
            words = words[:-1]
        out.add(" ".join(words))
    out.discard(normalise_name(name))
    out.discard("")
    return out


# "resolver": (the reference data's version, the resolver made for it)
_CACHE: dict[str, tuple[tuple[int, int | None, int, int | None], "LocationResolver"]] = {}

LEVEL_ORDER: dict[str, int] = {
    Location.Level.COUNTRY: 0,
    Location.Level.REGION: 1,
    Location.Level.SUBREGION: 2,
    Location.Level.SPECIAL: 3,
}


@dataclass(frozen=True)
class Place:
    id: int
    key: str
    name: str
    level: str
    parent_id: int | None
    country_code: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.key})"


class AmbiguousLocation(Exception):
    """A name that matches several places in the same scope; the candidates are in `.places`."""

    def __init__(self, places: list[Place]) -> None:
        super().__init__(", ".join(p.label for p in places))
        self.places = places


class LocationResolver:
    """Resolves texts to places in memory after loading the reference data once."""

    def __init__(self) -> None:
        self.places: dict[int, Place] = {}
        self.by_key: dict[str, int] = {}
        self.by_code: dict[str, int] = {}  # ISO alpha-2, alpha-3 (countries) and ISO 3166-2 codes
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.by_short_name: dict[str, set[int]] = defaultdict(set)
        self.by_scheme: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        rows = Location.objects.values_list(
            "id", "key", "name", "level", "parent_id", "country_code", "iso_3166_1_alpha3", "iso_3166_2"
        )
        for pk, key, name, level, parent_id, cc, alpha3, iso2 in rows:
            self.places[pk] = Place(pk, key, name, level, parent_id, cc)
            self.by_key[key.upper()] = pk
            if level == Location.Level.COUNTRY:
                self.by_code[key.upper()] = pk
                if alpha3:
                    self.by_code[alpha3.upper()] = pk
            if iso2:
                self.by_code[iso2.upper()] = pk
            self.by_name[normalise_name(name)].add(pk)
            for short in short_names(name):
                self.by_short_name[short].add(pk)
        for location_id, scheme, normalised in LocationAlias.objects.values_list("location_id", "scheme", "normalised"):
            if location_id in self.places:
                self.by_name[normalised].add(location_id)
                self.by_scheme[scheme][normalised].add(location_id)
        for scheme, text, key in EXTRA_ALIASES:
            if key.upper() in self.by_key:
                self.by_name[normalise_name(text)].add(self.by_key[key.upper()])
                self.by_scheme[scheme][normalise_name(text)].add(self.by_key[key.upper()])
        self._names_in_scope: dict[int | None, list[str]] = {}

    @classmethod
    def current(cls) -> "LocationResolver":
        """A resolver for the reference data as it is now, reused while nothing has changed."""
        version = (
            Location.objects.count(),
            Location.objects.aggregate(m=models.Max("id"))["m"],
            LocationAlias.objects.count(),
            LocationAlias.objects.aggregate(m=models.Max("id"))["m"],
        )
        cached = _CACHE.get("resolver")
        if cached is None or cached[0] != version:
            cached = (version, cls())
            _CACHE["resolver"] = cached
        return cached[1]

    def get(self, key: str) -> Place | None:
        pk = self.by_key.get(str(key).strip().upper())
        return self.places[pk] if pk else None

    def is_inside(self, place: Place, scope: Place) -> bool:
        """True when `place` is `scope` itself's descendant (not `scope`)."""
        parent_id = place.parent_id
        while parent_id is not None:
            if parent_id == scope.id:
                return True
            parent_id = self.places[parent_id].parent_id
        return False

    def country_of(self, place: Place) -> Place:
        """The country `place` is in (itself for a country, or for a special place outside every country)."""
        while place.parent_id is not None:
            place = self.places[place.parent_id]
        return place

    def resolve(self, text: str, *, scope: Place | None = None, scheme: str | None = None) -> Place | None:
        """The place a text names, inside `scope` when given; None if unknown. With a `scheme`
        (istat, fips...), that scheme's codes are tried first ("21" is Piemonte in ISO but P.A.
        Bolzano in Protezione Civile's codice_regione).

        Raises AmbiguousLocation when several places in scope carry the name."""
        raw = str(text).strip()
        if not raw:
            return None
        if scheme:
            found = self._in_scope(self.by_scheme.get(scheme, {}).get(normalise_name(raw), ()), scope)
            if len(found) == 1:
                return found[0]
        upper = raw.upper()
        codes = [self.by_key.get(upper), self.by_code.get(upper)]
        if scope is not None and scope.country_code:
            codes.insert(0, self.by_code.get(f"{scope.country_code}-{upper}"))
        for pk in codes:
            if pk is None:
                continue
            place = self.places[pk]
            # Inside the scope, or the scope's own country code ("IT" in a file of an Italian source).
            if (
                scope is None
                or self.is_inside(place, scope)
                or (pk == scope.id and scope.level == Location.Level.COUNTRY)
            ):
                return place
        name = normalise_name(raw)
        found = self._in_scope(self.by_name.get(name, ()), scope)
        if not found:
            found = self._in_scope(self.by_short_name.get(name, ()), scope)
        if not found:
            return None
        if len(found) > 1:
            best = min(LEVEL_ORDER.get(p.level, 9) for p in found)
            found = [p for p in found if LEVEL_ORDER.get(p.level, 9) == best]
        if len(found) > 1:
            raise AmbiguousLocation(sorted(found, key=lambda p: p.key))
        return found[0]

    def _in_scope(self, ids: Iterable[int], scope: Place | None) -> list[Place]:
        found = [self.places[pk] for pk in ids]
        if scope is None:
            return found
        inside = [p for p in found if self.is_inside(p, scope)]
        if not inside and scope.level == Location.Level.COUNTRY and any(p.id == scope.id for p in found):
            return [scope]  # "Hong Kong" under Hong Kong; not Idaho County under Idaho
        if not inside and scope.level == Location.Level.COUNTRY:
            # A territory listed under its sovereign country is a country of its own for us.
            inside = [p for p in found if p.level == Location.Level.COUNTRY and p.id != scope.id]
        return inside

    def suggest(self, text: str, *, scope: Place | None = None, n: int = 3) -> list[str]:
        """The closest known names (as "Name (KEY)") to an unknown one, inside scope when given."""
        scope_id = scope.id if scope else None
        if not self._names_in_scope:
            inside: dict[int | None, set[str]] = defaultdict(set)
            for name, ids in self.by_name.items():
                for pk in ids:
                    inside[None].add(name)
                    parent_id = self.places[pk].parent_id
                    while parent_id is not None:
                        inside[parent_id].add(name)
                        parent_id = self.places[parent_id].parent_id
            self._names_in_scope = {k: sorted(v) for k, v in inside.items()}
        names = self._names_in_scope.get(scope_id, [])
        close = difflib.get_close_matches(normalise_name(text), names, n=n, cutoff=0.6)
        labels = []
        for name in close:
            for pk in sorted(self.by_name[name]):
                place = self.places[pk]
                if (scope is None or self.is_inside(place, scope)) and place.label not in labels:
                    labels.append(place.label)
        return labels[:n]
