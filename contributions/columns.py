"""Column names official sources use, in several languages, and what each one means for us.

`classify_column(header)` returns a `ColumnGuess`: the role of a column (date, country, region,
subregion, location, metric, value, ignore, or None when unknown) and, for a metric column, the
metric code. Matching is on `normalise_name` (case, accents and punctuation insensitive). An exact
synonym is *sure*; a header that only contains a synonym ("Total Confirmed cases (Nigeria
National)") is a *guess*, which validation treats as needing the volunteer's confirmation when two
columns compete for the same metric. A header that names a part of a metric ("deces_ehpad",
"confirmados_0_9_f") is not a metric column.

`metric_words(header)` tells whether a column looks like a metric at all (one of ours, a part of
one, a daily change of one, or a figure we have no metric for), so that such a column is never
left out without a word; `split_metric(header)` cuts "confirmados_acores" into the metric and the
rest (a place, perhaps); `place_word(text)` recognises the headers of a total or of values of no
known place among columns of places.
"""

import re
from dataclasses import dataclass

from places.models import normalise_name

from .column_names import (
    METRIC_KIN_WORDS,
    METRIC_NAMES,
    NOT_CUMULATIVE_WORDS,
    PART_WORDS,
    QUALIFIER_WORDS,
    ROLE_NAMES,
    TEXT_WORDS,
    TOTAL_NAMES,
    UNKNOWN_PLACE_NAMES,
)


@dataclass(frozen=True)
class ColumnGuess:
    role: str | None  # date, country, region, subregion, location, metric, value, ignore, or None
    metric: str | None = None  # metric code for role "metric_column"
    sure: bool = True


def _index() -> dict[str, ColumnGuess]:
    exact: dict[str, ColumnGuess] = {}
    for role, names in ROLE_NAMES.items():
        for name in names:
            exact.setdefault(normalise_name(name), ColumnGuess(role))
    for code, names in METRIC_NAMES.items():
        for name in names:
            exact[normalise_name(name)] = ColumnGuess("metric_column", code)
    return exact


EXACT = _index()
ROLE_WORDS = {
    role: [w for w in dict.fromkeys(normalise_name(n) for n in ROLE_NAMES[role]) if len(w) > 3]
    for role in ("subregion", "region", "country")
}
# A header with words of two metrics is the more specific one: "internados_uci" is in intensive care,
# "recovered cases" recovered, "hospital deaths" deaths.
METRIC_ORDER = ("deaths", "recovered", "icu", "hospitalized", "tests", "vaccine_doses", "confirmed")
METRIC_WORDS = {
    code: sorted({normalise_name(n) for n in METRIC_NAMES[code]}, key=len, reverse=True)
    for code in sorted(METRIC_NAMES, key=lambda c: METRIC_ORDER.index(c) if c in METRIC_ORDER else len(METRIC_ORDER))
}
TOTAL_WORDS = frozenset(normalise_name(n) for n in TOTAL_NAMES)
UNKNOWN_PLACE_WORDS = frozenset(normalise_name(n) for n in UNKNOWN_PLACE_NAMES)


def metric_for_name(text: str) -> str | None:
    """The metric code a free text names ("deceduti" -> deaths), for long files' metric column."""
    guess = EXACT.get(normalise_name(text))
    if guess and guess.role == "metric_column":
        return guess.metric
    return None


def classify_column(header: str) -> ColumnGuess:
    """What a column header means, exactly or by a word it contains; role None when unknown."""
    name = normalise_name(header)
    if not name:
        return ColumnGuess(None)
    if name in EXACT:
        return EXACT[name]
    words = set(name.split())
    if words & NOT_CUMULATIVE_WORDS:
        return ColumnGuess(None)
    padded = f" {name} "
    for code, synonyms in METRIC_WORDS.items():
        for synonym in synonyms:
            if f" {synonym} " in padded and len(synonym) > 3:
                if _is_part(name.split()) or words & QUALIFIER_WORDS:
                    return ColumnGuess(None)
                return ColumnGuess("metric_column", code, sure=False)
    for role in ("subregion", "region", "country"):
        for syn in ROLE_WORDS[role]:
            if f" {syn} " in padded:
                return ColumnGuess(role, sure=False)
    return ColumnGuess(None)


def metric_in_text(text: str) -> str | None:
    """A metric named in a file name ("time_series_covid19_deaths_global.csv" -> deaths)."""
    padded = f" {normalise_name(text.replace('_', ' '))} "
    found = {code for code, synonyms in METRIC_WORDS.items() for s in synonyms if len(s) > 3 and f" {s} " in padded}
    return found.pop() if len(found) == 1 else None


def _figure_words(words: list[str]) -> list[str]:
    """The words of a header without the disease's name ("covid 19 deaths" -> deaths)."""
    return [w for i, w in enumerate(words) if not (w.isdigit() and i and words[i - 1] in ("covid", "cov", "ncov"))]


def _is_part(words: list[str]) -> bool:
    """Whether a header names a part of a metric: by sex, age band or setting."""
    figures = _figure_words(words)
    return bool(set(figures) & PART_WORDS) or any(w.isdigit() for w in figures)


@dataclass(frozen=True)
class MetricLike:
    """What a header that looks like a metric names: `metric` (one of ours it names, or None), and
    `kind`: "metric", "part" (by sex, age or setting), "daily" (a daily change, a rate or a share) or
    "other" (a figure we have no metric for, named with a metric: "casos sospechosos")."""

    metric: str | None
    kind: str


def metric_words(header: str) -> MetricLike | None:
    """The metric a header looks like, by a synonym or a word it contains after splitting on _ - and
    spaces; None for a header of something else (a place, a code, notes, a source)."""
    name = normalise_name(header)
    words = name.split()
    if not words or set(words) & TEXT_WORDS:
        return None
    guess = EXACT.get(name)
    if guess and guess.role == "metric_column":
        return MetricLike(guess.metric, "metric")
    padded = f" {name} "
    metric = next((code for code, synonyms in METRIC_WORDS.items() if any(f" {s} " in padded for s in synonyms)), None)
    if metric is None and not set(words) & METRIC_KIN_WORDS:
        return None
    if metric and set(words) & NOT_CUMULATIVE_WORDS:
        kind = "daily"
    elif metric and _is_part(words):
        kind = "part"
    elif metric and set(words) & QUALIFIER_WORDS:
        kind = "other"
    else:
        kind = "metric"
    return MetricLike(metric, kind)


def split_metric(header: str) -> tuple[str, str] | None:
    """(metric code, the rest of the header as written) when the header is a metric's name before or
    after other words joined by _ - or spaces ("confirmados_acores" -> confirmed, "acores";
    "Gauteng deaths" -> deaths, "Gauteng"); the longest name wins. None otherwise."""
    parts = [p for p in re.split(r"[_\-\s]+", header.strip()) if p]
    best: tuple[int, str, str] | None = None
    for cut in range(1, len(parts)):
        for name, rest in ((parts[:cut], parts[cut:]), (parts[cut:], parts[:cut])):
            guess = EXACT.get(normalise_name(" ".join(name)))
            if guess and guess.role == "metric_column" and guess.metric and (best is None or len(name) > best[0]):
                best = (len(name), guess.metric, " ".join(rest))
    return (best[1], best[2]) if best else None


def place_word(text: str) -> str | None:
    """ "total" for the header of a total of places ("total", "Gesamt"), "unknown" for one of values of
    no known place ("UNKNOWN", "desconhecido", "non attribué"), None otherwise."""
    name = normalise_name(text)
    if name in TOTAL_WORDS:
        return "total"
    if name in UNKNOWN_PLACE_WORDS:
        return "unknown"
    return None
