"""Resolve the location names and codes found in uploaded files to our `Location` rows.

`LocationResolver()` loads every location and alias in two queries, then resolves any number of
texts in memory: by key (`IT_25`), ISO 3166-2 code (`IT-25`, or `CA` inside the US), ISO alpha-2
and alpha-3, alias (`LocationAlias.normalised`), then name, each compared with `normalise_name`
(accents, case, ' and ’ folded). A name found no other way is compared without its linking words
("Reggio nell'Emilia" is "Reggio Emilia"), and must then name one place only; last comes the part
of an inverted name before its comma ("Virgin Islands" for "Virgin Islands, U.S."). With a `scope` (a
country or region already resolved) only places inside it match, or the scope itself ("Bolzano"
under "P.A. Bolzano"), except that a "region" which is itself a country or territory (JHU lists the
Faroe Islands under Denmark) resolves to that country.

Other spellings (Protezione Civile's "P.A. Trento", "Seoul" for "Seoul-teukbyeolsi") are
`LocationAlias` rows that `places.reference.load_reference_data` writes; beside the comparisons
above, the resolver makes up no name.

`suggest()` proposes, for a name it does not know, the places under the same scope whose names
are close enough to be what the file meant, and nothing when none is.
"""

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from .models import Location, LocationAlias, normalise_name
from .names import inverted_head, loose_name

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


# How close a name must be to an unknown one to be suggested (difflib's ratio, 0 to 1). Below it
# the suggestion misleads more than it helps: "Daejeon" and "Sejong" score 0.62, "Monde" and "Orne" 0.67.
SUGGESTION_CUTOFF = 0.75
# Short names are alike by chance more often ("us" and "aus" score 0.8): under 5 letters, 0.85.
SHORT_NAME = 5
SHORT_NAME_CUTOFF = 0.85
# Scores given to a name that shares whole words with the unknown one ("Bolzano-Bozen" for
# "Bolzano"), or whose words the unknown one abbreviates ("Friuli V. G." for "Friuli Venezia Giulia").
SAME_WORDS_SCORE = 0.8
ABBREVIATION_SCORE = 0.8


CODE_SCHEMES = {LocationAlias.Scheme.ISO, LocationAlias.Scheme.ISTAT, LocationAlias.Scheme.FIPS}


def code_form(text: str) -> str:
    """A code as a scheme's aliases are compared: numbers without leading zeros or a spreadsheet's
    ".0" ("01", "1" and "1.0" are one ISTAT code); any other code normalised."""
    raw = str(text).strip()
    if re.fullmatch(r"\d+(\.0*)?", raw):
        raw = raw.split(".")[0]
    return _number_form(normalise_name(raw))


def _number_form(normalised: str) -> str:
    return str(int(normalised)) if normalised.isdigit() else normalised


class LocationResolver:
    """Resolves texts to places in memory after loading the reference data once."""

    def __init__(self) -> None:
        self.places: dict[int, Place] = {}
        self.by_key: dict[str, int] = {}
        self.by_code: dict[str, int] = {}  # ISO alpha-2, alpha-3 (countries) and ISO 3166-2 codes
        self.by_name: dict[str, set[int]] = defaultdict(set)
        # Translations of a subdivision's name count inside a scope only: at the world's scope a word
        # such as "Land" (a translation of Landes) is more likely a column's name than the department.
        self.by_local_name: dict[str, set[int]] = defaultdict(set)
        self.spoken_names: dict[str, set[int]] = defaultdict(set)  # names, not codes: what suggestions show
        self.by_loose_name: dict[str, set[int]] = defaultdict(set)
        self.by_loose_local_name: dict[str, set[int]] = defaultdict(set)
        self.by_inverted_head: dict[str, set[int]] = defaultdict(set)  # "virgin islands" of "Virgin Islands, U.S."
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
            self.spoken_names[normalise_name(name)].add(pk)
            if head := inverted_head(name):
                self.by_inverted_head[normalise_name(head)].add(pk)
        for location_id, scheme, normalised in LocationAlias.objects.values_list("location_id", "scheme", "normalised"):
            if location_id in self.places:
                local = scheme == LocationAlias.Scheme.TRANSLATION and self.places[location_id].parent_id is not None
                (self.by_local_name if local else self.by_name)[normalised].add(location_id)
                self.by_scheme[scheme][_number_form(normalised)].add(location_id)
                if scheme not in CODE_SCHEMES:
                    self.spoken_names[normalised].add(location_id)
        for names, loose in ((self.by_name, self.by_loose_name), (self.by_local_name, self.by_loose_local_name)):
            for name, ids in names.items():
                if len(loose_name(name).split()) > 1:  # "reggio emilia"; not "source" for "La Source"
                    loose[loose_name(name)] |= ids
        self._names_under: dict[int | None, list[tuple[str, int]]] | None = None

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
            found = self._in_scope(self.by_scheme.get(scheme, {}).get(code_form(raw), ()), scope)
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
        found = self._highest(self._in_scope(self._named(name, scope, self.by_name, self.by_local_name), scope))
        if not found:
            # Without linking words, a name must name one place: no level decides between two.
            loose = loose_name(name)
            found = self._in_scope(self._named(loose, scope, self.by_loose_name, self.by_loose_local_name), scope)
        if not found:
            # Last, an inverted name without what follows its comma: "Virgin Islands" in the US is
            # "Virgin Islands, U.S."; in the world it is that and "Virgin Islands, British" (ambiguous).
            found = self._highest(self._in_scope(self.by_inverted_head.get(name, ()), scope))
        if len(found) > 1:
            raise AmbiguousLocation(sorted(found, key=lambda p: p.key))
        return found[0] if found else None

    @staticmethod
    def _named(name: str, scope: Place | None, names: dict[str, set[int]], local: dict[str, set[int]]) -> set[int]:
        """The places carrying `name`, with the translations of subdivisions' names inside a scope."""
        found = names.get(name, set())
        return found | local.get(name, set()) if scope is not None else found

    @staticmethod
    def _highest(found: list[Place]) -> list[Place]:
        """The places of the highest level among `found` (a country before its region of the same name)."""
        if len(found) < 2:
            return found
        best = min(LEVEL_ORDER.get(p.level, 9) for p in found)
        return [p for p in found if LEVEL_ORDER.get(p.level, 9) == best]

    def _in_scope(self, ids: Iterable[int], scope: Place | None) -> list[Place]:
        found = [self.places[pk] for pk in ids]
        if scope is None:
            return found
        inside = [p for p in found if self.is_inside(p, scope)]
        if not inside and any(p.id == scope.id for p in found):
            return [scope]  # "Hong Kong" under Hong Kong, "Bolzano" under P.A. Bolzano; not Idaho County under Idaho
        if not inside and scope.level == Location.Level.COUNTRY:
            # A territory listed under its sovereign country is a country of its own for us.
            inside = [p for p in found if p.level == Location.Level.COUNTRY and p.id != scope.id]
        return inside

    def suggest(self, text: str, *, scope: Place | None = None, n: int = 3) -> list[str]:
        """The places (as "Name (KEY)") that an unknown name may mean, closest first: only the scope
        and the places under it (without a scope, countries and other top-level places), and only
        names at least SUGGESTION_CUTOFF alike. An empty list when nothing is that close."""
        query = normalise_name(text)
        if not query:
            return []
        likeness = Likeness(query)
        best: dict[int, float] = {}
        for name, pk in self._names_for_suggestions(scope):
            score = likeness.score(name, at_least=max(SUGGESTION_CUTOFF, best.get(pk, 0.0)))
            if score >= SUGGESTION_CUTOFF and score > best.get(pk, 0.0):
                best[pk] = score
        ranked = sorted(best, key=lambda pk: (-best[pk], self.places[pk].key))
        return [self.places[pk].label for pk in ranked[:n]]

    def _names_for_suggestions(self, scope: Place | None) -> list[tuple[str, int]]:
        """Every (name, place) under `scope` and of the scope itself; top-level places for no scope."""
        if self._names_under is None:
            under: dict[int | None, list[tuple[str, int]]] = defaultdict(list)
            for name, ids in self.spoken_names.items():
                for pk in ids:
                    place = self.places[pk]
                    if place.parent_id is None:
                        under[None].append((name, pk))
                    under[pk].append((name, pk))
                    parent_id = place.parent_id
                    while parent_id is not None:
                        under[parent_id].append((name, pk))
                        parent_id = self.places[parent_id].parent_id
            self._names_under = dict(under)
        return self._names_under.get(scope.id if scope else None, [])


class Likeness:
    """How alike names are to one normalised name, 0 to 1: difflib's ratio of the names with and
    without linking words, or a fixed score when one's words are all among the other's or the
    query abbreviates the name's words."""

    def __init__(self, query: str) -> None:
        self.query, self.loose_query = query, loose_name(query)
        self.words = self.loose_query.split()
        self.matcher = difflib.SequenceMatcher(None)
        self.matcher.set_seq2(query)
        self.loose_matcher = difflib.SequenceMatcher(None)
        self.loose_matcher.set_seq2(self.loose_query)

    def score(self, name: str, *, at_least: float = 0.0) -> float:
        """The likeness of `name`; a ratio that cannot reach `at_least` is not computed (0 instead)."""
        loose = loose_name(name)
        words = loose.split()
        score = 0.0
        shared = set(self.words) & set(words)
        if shared and (shared == set(self.words) or shared == set(words)) and max(map(len, shared)) >= 4:
            score = SAME_WORDS_SCORE
        if (
            len(self.words) == len(words) > 1
            and self.words[0] == words[0]
            and all(word.startswith(short) for short, word in zip(self.words, words, strict=True))
        ):
            score = max(score, ABBREVIATION_SCORE)
        for matcher, text, query in ((self.matcher, name, self.query), (self.loose_matcher, loose, self.loose_query)):
            matcher.set_seq1(text)
            if matcher.real_quick_ratio() >= at_least and matcher.quick_ratio() >= at_least:
                ratio = matcher.ratio()
                if min(len(text), len(query)) >= SHORT_NAME or ratio >= SHORT_NAME_CUTOFF:
                    score = max(score, ratio)
        return score


def similarity(query: str, name: str) -> float:
    """How alike two names are, 0 to 1 (see `Likeness`)."""
    return Likeness(normalise_name(query)).score(normalise_name(name))
