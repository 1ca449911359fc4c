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

# role -> names. English, Italian, Spanish, French, German, Portuguese (and the JHU / DPC spellings).
ROLE_NAMES = {
    "date": [
        "date",
        "day",
        "dates",
        "date reported",
        "report date",
        "reporting date",
        "observation date",
        "data",
        "giorno",
        "fecha",
        "fecha reporte",
        "dia",
        "jour",
        "date de publication",
        "datum",
        "meldedatum",
        "tag",
        "data de notificacao",
        "data notificacao",
    ],
    "country": [
        "country",
        "country region",
        "country name",
        "countries and territories",
        "nation",
        "stato",
        "paese",
        "nazione",
        "pais",
        "pays",
        "land",
        "staat",
        "iso code",
        "iso3",
        "iso 3",
        "country code",
        "iso2",
        "countrycode",
        "country iso",
    ],
    "region": [
        "province state",
        "province",
        "state",
        "states",
        "region",
        "regione",
        "denominazione regione",
        "provincia",
        "comunidad autonoma",
        "ccaa",
        "comunidad",
        "estado",
        "region name",
        "departement",
        "bundesland",
        "uf",
        "subregion1 name",
        "admin1",
        "name of states fct",
        "state name",
        "province name",
        "nom region",
        "nom departement",
    ],
    "subregion": [
        "admin2",
        "county",
        "county name",
        "district",
        "landkreis",
        "kreis",
        "municipio",
        "municipality",
        "comune",
        "denominazione provincia",
        "city",
        "cidade",
        "subregion2 name",
    ],
    "location": [
        "location",
        "location key",
        "key",
        "place",
        "area",
        "area name",
        "geo",
        "luogo",
        "localidad",
        "lieu",
        "ort",
    ],
    "metric": [
        "metric",
        "indicator",
        "variable",
        "measure",
        "indicatore",
        "indicador",
        "indicateur",
        "merkmal",
        "kind",
        "type",
    ],
    "value": ["value", "count", "number", "valore", "valor", "valeur", "wert", "anzahl", "cantidad", "total", "n"],
    # Columns that are known not to be data: ignored without a warning.
    "ignore": [
        "lat",
        "long",
        "long",
        "lon",
        "lng",
        "latitude",
        "longitude",
        "fips",
        "uid",
        "code3",
        "iso",
        "combined key",
        "last update",
        "last updated",
        "updated",
        "ultimo aggiornamento",
        "note",
        "notes",
        "note it",
        "note en",
        "note test",
        "note casi",
        "codice nuts 1",
        "codice nuts 2",
        "population",
        "incident rate",
        "incidence rate",
        "case fatality ratio",
        "mortality rate",
        "active",
        "totale positivi",
        "variazione totale positivi",
        "nuovi positivi",
        "isolamento domiciliare",
        "ricoverati con sintomi",
        "casi testati",
        "casi da sospetto diagnostico",
        "casi da screening",
        "ingressi terapia intensiva",
        "totale positivi test molecolare",
        "totale positivi test antigenico rapido",
        "tamponi test molecolare",
        "tamponi test antigenico rapido",
        "new cases",
        "new deaths",
        "days after surpassing 100 cases",
        "source",
        "fuente",
        "fonte",
        "quelle",
        "fonte dati",
        "codice regione",
        "codice provincia",
        "sigla provincia",
    ],
}

# metric code -> names
METRIC_NAMES = {
    "confirmed": [
        "confirmed",
        "confirmed cases",
        "cases",
        "total cases",
        "cumulative cases",
        "total confirmed",
        "total confirmed cases",
        "cases total",
        "cumulative confirmed",
        "totale casi",
        "casi totali",
        "casi",
        "casos",
        "casos confirmados",
        "confirmados",
        "casos totales",
        "total casos",
        "casos acumulados",
        "cas confirmes",
        "cas",
        "total cas",
        "faelle",
        "falle",
        "bestatigte falle",
        "infizierte",
        "fallzahl",
        "positive",
    ],
    "deaths": [
        "deaths",
        "death",
        "deceased",
        "dead",
        "fatalities",
        "total deaths",
        "cumulative deaths",
        "deceduti",
        "decessi",
        "morti",
        "fallecidos",
        "muertes",
        "defunciones",
        "deces",
        "morts",
        "total deces",
        "todesfalle",
        "todesfaelle",
        "verstorbene",
        "tote",
        "obitos",
        "mortes",
        "obitos acumulados",
    ],
    "recovered": [
        "recovered",
        "recoveries",
        "cured",
        "total recovered",
        "dimessi guariti",
        "guariti",
        "recuperados",
        "curados",
        "altas",
        "gueris",
        "retablis",
        "genesene",
        "genesen",
        "recuperados acumulados",
    ],
    "tests": [
        "tests",
        "total tests",
        "tests performed",
        "cumulative tests",
        "tamponi",
        "test effettuati",
        "pruebas",
        "pruebas realizadas",
        "tests realizados",
        "testes",
        "testes realizados",
        "depistages",
        "tests effectues",
        "testungen",
        "tests durchgefuhrt",
    ],
    "hospitalized": [
        "hospitalized",
        "hospitalised",
        "in hospital",
        "hospital",
        "totale ospedalizzati",
        "ospedalizzati",
        "hospitalizados",
        "hospitalises",
        "hospitalisations",
        "hospitalisiert",
        "internados",
        "internacoes",
    ],
    "icu": [
        "icu",
        "intensive care",
        "in icu",
        "terapia intensiva",
        "uci",
        "reanimation",
        "intensivstation",
        "intensivpatienten",
        "uti",
        "cuidados intensivos",
    ],
    "vaccine_doses": [
        "vaccine doses",
        "doses administered",
        "total vaccinations",
        "doses",
        "dosi somministrate",
        "dosis administradas",
        "doses administrees",
        "impfungen",
        "impfdosen",
        "doses aplicadas",
        "vacinas aplicadas",
    ],
}

# A header containing one of these words is a rate, a daily change or a level we do not store as the
# cumulative metric, even when it also contains a metric word ("New Cases", "nuovi positivi").
NOT_CUMULATIVE_WORDS = {
    "new",
    "daily",
    "per",
    "rate",
    "ratio",
    "nuovi",
    "nuove",
    "variazione",
    "nuevos",
    "nuevas",
    "diarios",
    "nouveaux",
    "nouvelles",
    "neue",
    "neuer",
    "novos",
    "novas",
    "incidence",
    "incidenza",
    "incidencia",
    "inzidenz",
    "percent",
    "pct",
    "days",
    "giorni",
    "dias",
    "jours",
    "tage",
    "active",
    "attivi",
    "activos",
    "change",
    "delta",
    "100k",
    "100000",
    "million",
    "ingressi",
}


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
