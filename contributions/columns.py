"""Column names official sources use, in several languages, and what each one means for us.

`classify_column(header)` returns a `ColumnGuess`: the role of a column (date, country, region,
subregion, location, metric, value, ignore, or None when unknown) and, for a metric column, the
metric code. Matching is on `normalise_name` (case, accents and punctuation insensitive). An exact
synonym is *sure*; a header that only contains a synonym ("Total Confirmed cases (Nigeria
National)") is a *guess*, which validation treats as needing the volunteer's confirmation when two
columns compete for the same metric.
"""

from dataclasses import dataclass

from places.models import normalise_name

from .column_names import METRIC_NAMES, NOT_CUMULATIVE_WORDS, ROLE_NAMES


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
METRIC_WORDS = {
    code: sorted({normalise_name(n) for n in names}, key=len, reverse=True) for code, names in METRIC_NAMES.items()
}


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
