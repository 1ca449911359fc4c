"""Other spellings of a place's name, made by rule from ISO 3166-2 and pycountry's translations.

Files name places as people write them: "Seoul" for ISO's "Seoul-teukbyeolsi", "Guyane" for
"Guyane (française)", "Hubei" for "Hubei Sheng", "Reggio di Calabria" for "Reggio Calabria".
`iso_name_variants` strips the words that only say what kind of subdivision a place is;
`translated_names` reads pycountry's gettext catalogues in the languages official sources publish
in (`LANGUAGES`) and keeps the names written in Latin letters, the ones our files use.
`loose_name` drops the small linking words ("di", "nell'", "e della") so that "Reggio nell'Emilia"
and "Reggio Emilia" compare equal.

Whether a variant becomes an alias is decided in `places.reference`: one that another place
already carries, or that two places would share, is left out. Translations are aliases of the
`translation` scheme, which the resolver reads for a subdivision inside a scope only.
"""

import gettext
import os
import re
import unicodedata
from collections.abc import Iterator
from functools import cache

import pycountry

from .models import normalise_name

# Words that only say what kind of subdivision a place is, after the name ("Hubei Sheng",
# "Seoul-teukbyeolsi", "Moskovskaya oblast'", "Stockholms län"), in the languages ISO uses.
SUFFIX_WORDS = frozenset(
    {
        "sheng",
        "shi",
        "zizhiqu",
        "zhuangzu",
        "huizu",
        "uygur",
        "sar",
        "teukbyeolsi",
        "gwangyeoksi",
        "teukbyeoljachido",
        "teukbyeoljachisi",
        "do",
        "oblast",
        "oblys",
        "oblysy",
        "kray",
        "krai",
        "respublika",
        "avtonomnaya",
        "avtonomnyy",
        "okrug",
        "lan",
        "novads",
        "zupanija",
        "apskritis",
        "voblasc",
        "province",
        "prefecture",
        "region",
        "state",
        "department",
        "governorate",
        "gewest",
    }
)
# A longer kind that is also written as a shorter one: Korea's special self-governing provinces
# are "-do" provinces to most publishers ("Gangwon-do", "Jeju-do").
SHORTER_SUFFIX = {"teukbyeoljachido": "do"}
# Words that say the kind before the name ("Provincia di ...", "Région ...", "City of Kigali").
PREFIX_WORDS = frozenset(
    {
        "provincia",
        "province",
        "region",
        "regione",
        "regiao",
        "autonoma",
        "autonome",
        "wilayah",
        "persekutuan",
        "departement",
        "departamento",
        "comunidad",
        "foral",
        "principado",
        "hlavni",
        "mesto",
        "county",
        "unitatea",
        "teritoriala",
        "respublika",
    }
)
# Linking words: left out by `loose_name`, and allowed after a prefix ("Provincia di").
PARTICLES = frozenset(
    {"d", "da", "dal", "de", "dei", "degli", "del", "della", "delle", "dello", "des", "di", "do", "dos", "du"}
    | {"din", "e", "ed", "et", "l", "la", "le", "les", "nel", "nell", "nella", "of", "the", "y"}
)
# Words that join the names of a list ("Armagh City, Banbridge and Craigavon" is no inverted name).
CONJUNCTIONS = frozenset({"and", "y", "e", "et", "und", "i", "si"})
# Words that cannot stand alone as a place's name once the kind is taken away ("Distrito Federal").
GENERIC_WORDS = frozenset(
    {"autonomous", "capital", "center", "central", "centre", "centro", "city", "continentale", "federal"}
    | {"insulaire", "metropolitan", "metropolitana", "nacional", "national", "special"}
    | {"east", "est", "este", "nord", "norte", "north", "oeste", "ouest", "south", "sud", "sur", "west"}
)
_SEPARATOR = re.compile("([\\s\\-\u2010\u2013]+)")  # spaces, hyphens, en dashes
_BRACKETED_CODE = re.compile(r"\b[A-Z]{2}-[A-Z0-9]{1,3}\b")


def loose_name(normalised: str) -> str:
    """A normalised name without linking words: "reggio nell emilia" -> "reggio emilia"."""
    words = [word for word in normalised.split() if word not in PARTICLES]
    return " ".join(words) or normalised


def is_latin(text: str) -> bool:
    """True when every letter of `text` survives `normalise_name` (Latin script, with accents)."""
    return all(_survives(ch) for ch in text)


@cache
def _survives(character: str) -> bool:
    return unicodedata.category(character) not in ("Lu", "Ll", "Lt") or bool(normalise_name(character))


def _words(text: str) -> list[str]:
    """Words and the separators between them: "Seoul-teukbyeolsi" -> ["Seoul", "-", "teukbyeolsi"]."""
    return [part for part in _SEPARATOR.split(text.strip()) if part]


def _is_word(part: str) -> bool:
    return not _SEPARATOR.fullmatch(part)


def _without_kind(text: str) -> set[str]:
    """`text` without the words for its kind of subdivision, before or after the name."""
    parts = _words(text)
    out: set[str] = set()
    # After the name: "Guangxi Zhuangzu Zizhiqu" -> "Guangxi"; "Gangwon-teukbyeoljachido" -> "Gangwon", "Gangwon-do".
    end = len(parts)
    while end > 1 and normalise_name(parts[end - 1]) in SUFFIX_WORDS:
        shorter = SHORTER_SUFFIX.get(normalise_name(parts[end - 1]))
        if shorter and end >= 3:
            out.add("".join(parts[: end - 1]) + shorter)
        end -= 1
        while end > 1 and not _is_word(parts[end - 1]):
            end -= 1
    if end < len(parts):
        out.add("".join(parts[:end]))
    # Before the name: "Wilayah Persekutuan Kuala Lumpur" -> "Kuala Lumpur"; "Provincia di X" -> "X".
    start, seen_kind = 0, False
    while start < len(parts) - 1:
        folded = normalise_name(parts[start])
        if not _is_word(parts[start]) or folded in PREFIX_WORDS or (seen_kind and set(folded.split()) <= PARTICLES):
            seen_kind = seen_kind or folded in PREFIX_WORDS
            start += 1
            continue
        break
    if seen_kind and start < len(parts):
        out.add("".join(parts[start:]))
    return {name for name in out if _stands_alone(name)}


def _stands_alone(name: str) -> bool:
    words = set(normalise_name(name).split())
    return bool(words - GENERIC_WORDS - PARTICLES - SUFFIX_WORDS - PREFIX_WORDS)


def inverted_head(name: str) -> str | None:
    """The name before the comma of an inverted name ("Virgin Islands, U.S." -> "Virgin Islands",
    "Madrid, Comunidad de" -> "Madrid"); None for a list ("Newry, Mourne and Down") or no comma."""
    if name.count(",") != 1:
        return None
    head, after = (part.strip() for part in name.split(","))
    after_words = set(normalise_name(after).split())
    if not head or not after_words or after_words & CONJUNCTIONS or len(after_words) > 3:
        return None
    return head


def iso_name_variants(name: str) -> set[str]:
    """Shorter or reordered forms of an ISO 3166-2 name, as files write it.

    "Guyane (française)" -> "Guyane"; "Lleida [Lérida]" -> "Lleida", "Lérida"; "Madrid, Comunidad de"
    -> "Madrid", "Comunidad de Madrid"; "Seoul-teukbyeolsi" -> "Seoul"; "Hubei Sheng" -> "Hubei".
    The name itself is not among them."""
    forms = {name}
    bracket = re.match(r"^(.*?)\s*[\[(](.*?)[\])]\s*$", name)
    if bracket:
        outside, inside = bracket.group(1).strip(), bracket.group(2).strip()
        forms.add(outside)
        if name.rstrip().endswith("]"):  # ISO's second language: "A Coruña [La Coruña]", "Cardiff [Caerdydd GB-CRD]"
            other = _BRACKETED_CODE.sub("", inside).strip()
            if other and _stands_alone(other):
                forms.add(other)
    for form in list(forms):
        if head := inverted_head(form):
            after = form.split(",")[1].strip()
            forms.add(f"{after} {head}")  # "Madrid, Comunidad de" -> "Comunidad de Madrid"
            if set(normalise_name(after).split()) <= PREFIX_WORDS | SUFFIX_WORDS | PARTICLES:
                forms.add(head)  # "Madrid": what follows the comma only said what kind of place it is
    for form in list(forms):
        forms |= _without_kind(form)
    return {form for form in forms if form and form != name and _stands_alone(form)}


# pycountry's catalogues in the languages states publish their figures in, written in Latin letters.
# Left out: languages no official source writes in (Esperanto, Breton, Occitan, Sardinian, Walloon...)
# and Irish, whose catalogue translates names word by word (Brindisi -> "Tósta", Prato -> "Móinéar").
LANGUAGES = (
    *("az", "bs", "ca", "cs", "cy", "da", "de", "en", "es", "et", "eu", "fi", "fil", "fr", "hr", "hu", "id"),
    *("is", "it", "lt", "lv", "nb_NO", "nl", "pl", "pt", "pt_BR", "ro", "sk", "sl", "so", "sq", "sr@latin"),
    *("sv", "tr", "vi"),
)
# A translated name this short is more often a word than a place ("Lo" for Lot, "Er" for Eure).
SHORTEST_TRANSLATION = 4
_NOT_A_NAME = re.compile(r"[0-9:/]|[a-z][A-Z]")  # "ISO 3166-2: Var", "Nord / Północna", "AudeGeneric"


@cache
def _catalogues(domain: str) -> tuple[gettext.GNUTranslations, ...]:
    """pycountry's translations of one ISO standard (iso3166-1, iso3166-2), in LANGUAGES' order."""
    root = os.path.join(os.path.dirname(pycountry.__file__), "locales")
    found = []
    for language in LANGUAGES:
        path = os.path.join(root, language, "LC_MESSAGES", f"{domain}.mo")
        if os.path.exists(path):
            with open(path, "rb") as catalogue:
                found.append(gettext.GNUTranslations(catalogue))
    return tuple(found)


def _translations(name: str, catalogues: tuple[gettext.GNUTranslations, ...]) -> Iterator[str]:
    for catalogue in catalogues:
        translated = catalogue.gettext(name)
        if translated == name:
            continue
        # Some catalogues give several names: "Jeju-do; Jeju Eiland; Quelpaardseiland".
        for part in translated.split(";"):
            part = re.sub(r"\s*\(.*?\)\s*$", "", part).strip()
            normalised = normalise_name(part)
            too_short = len(normalised.replace(" ", "")) < SHORTEST_TRANSLATION
            if too_short or not is_latin(part) or _NOT_A_NAME.search(part):
                continue
            yield part


def translated_names(name: str) -> list[str]:
    """A subdivision's names in other languages, in Latin letters: "Trentino-Alto Adige" ->
    "Trentino-Südtirol", "Trentin- Haut Adige" ... (no bracketed remarks, no repeats)."""
    return list(dict.fromkeys(_translations(name, _catalogues("iso3166-2"))))


def translated_country_names(name: str) -> list[str]:
    """A country's names in other languages, in Latin letters: "Germany" -> "Deutschland", "Allemagne" ..."""
    return list(dict.fromkeys(_translations(name, _catalogues("iso3166-1"))))
