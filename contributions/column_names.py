"""The column names official sources use, by role and by metric, in six languages (data for columns.py),
and the words that tell what a column that is not one of ours holds."""


def _words(text: str) -> set[str]:
    return set(text.split())


def _phrases(text: str) -> list[str]:
    return [p.strip() for p in text.split(",")]


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
        "released",  # KCDC: released from isolation
        "released from isolation",
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
        "depistes",  # people tested: the metric counts them where that is all a source gives
        "personnes depistees",
        "people tested",
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
        "internados uci",
        "internados em uci",
        "hospitalized icu",
        "hospitalised icu",
        "icu patients",
        "in intensive care",
        "soins intensifs",
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
NOT_CUMULATIVE_WORDS = _words(
    "new daily per rate ratio nuovi nuove variazione nuevos nuevas diarios nouveaux nouvelles neue neuer "
    "novos novas incidence incidenza incidencia inzidenz percent pct days giorni dias jours tage active "
    "attivi activos change delta 100k 100000 million ingressi"
)


# Words that make a column a part of a metric (by sex, age or setting: "confirmados_0_9_f",
# "deces_ehpad"), not the metric itself: such a column is never taken as the metric.
PART_WORDS = _words(
    "f m male males female females men women hommes femmes homme femme maschi femmine hombres mujeres "
    "homens mulheres masculino feminino femenino maenner manner frauen age ages aged years eta edad idade "
    "ans anos jahre altersgruppe plus ehpad ems esms rsa nursing care residencias residences lares "
    "pflegeheim pflegeheimen"
)

# "Positive": a word of confirmed cases ("casos positivos") as much as of current ones ("totale_positivi").
POSITIVE_WORDS = {"positives", "positivi", "positivos", "positifs", "positiv"}

# Words of figures we have no metric for (suspected, active, in isolation, vaccinated people...), in
# the six languages: a column named with one holds values we do not take, and the report says so; a
# metric's name with one of them ("casos sospechosos") is not that metric.
QUALIFIER_WORDS = _words(
    "active suspected suspects probable quarantine quarantined isolation isolated ventilator ventilators "
    "ventilated admissions admitted discharged infections infected critical vaccinated booster boosters "
    "negative negatives attualmente sospetti isolamento quarantena ricoverati dimessi vaccinati contagi "
    "contagiati infetti testati negativi activos sospechosos cuarentena aislamiento ingresados ingresos "
    "vacunados contagios contagiados infectados graves criticos negativos actifs isolement quarantaine "
    "vaccines infectes contamines negatifs aktive verdachtsfalle verdachtsfaelle quarantane quarantaene "
    "isoliert stationar stationaer beatmet geimpft infektionen ativos suspeitos quarentena enfermaria "
    "vacinados vigilancia testados"
)
METRIC_KIN_WORDS = QUALIFIER_WORDS | POSITIVE_WORDS

# Words of columns that hold text about the figures (notes, sources, links), never figures.
TEXT_WORDS = _words(
    "note notes nota notas notiz comment comments commentaire commentaires kommentar comentario "
    "comentarios source sources fonte fontes fuente fuentes quelle quellen url link links lien archive"
)

# Headers of a column holding the total of the place columns (one column per place).
TOTAL_NAMES = _phrases(
    "total, totals, totale, totali, totales, totaux, sum, summe, somme, soma, suma, gesamt, insgesamt, "
    "all, todos, todas, tous, tutti, alle, overall, grand total, total general, totale generale, "
    "total geral, national, nacional, nazionale, nationale, national total, country total"
)

# Headers of a column of values that belong to no known place (one column per place).
UNKNOWN_PLACE_NAMES = _phrases(
    "unknown, unknowns, not known, unallocated, unassigned, not assigned, unspecified, not specified, "
    "undetermined, under investigation, pending, other, others, abroad, foreign, outside, out of state, "
    "out of country, sconosciuto, sconosciuta, non noto, non nota, non specificato, estero, fuori regione, "
    "in fase di definizione, in fase di definizione aggiornamento, in aggiornamento, altro, altri, "
    "desconocido, desconocida, desconocidos, no consta, sin asignar, sin especificar, no especificado, "
    "extranjero, otros, otras, otro, inconnu, inconnue, inconnus, non attribue, non attribues, "
    "non renseigne, non precise, non localise, etranger, autre, autres, hors region, unbekannt, "
    "nicht zugeordnet, ohne zuordnung, ausland, sonstige, sonstiges, andere, desconhecido, desconhecida, "
    "desconhecidos, nao especificado, ignorado, sem informacao, estrangeiro, exterior, outro, outros, "
    "outras"
)
