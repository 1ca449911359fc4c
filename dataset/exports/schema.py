"""The export schema: the files the exports write and every column in them, with its type and meaning.

One definition read by the writers (headers, the Parquet schema), the Data Package (field types and
descriptions in datapackage.json) and the data dictionary and downloads pages (types and
definitions as people read them).
"""

from typing import NamedTuple

TIDY_NAME = "covid19-open-data.csv"
PARQUET_NAME = "covid19-open-data.parquet"
JHU_NAME = "time_series_covid19_{metric}_global.csv"
DATAPACKAGE_NAME = "datapackage.json"

# What each ReleaseFile.format is, for the downloads page.
FORMAT_DESCRIPTIONS = {
    "csv": "Tidy CSV: one row per location, metric and date",
    "csv.gz": "The tidy CSV, gzip-compressed",
    "parquet": "Parquet: the tidy table with typed columns",
    "jhu": "JHU CSSE layout: one row per place, one column per date",
    "datapackage": "Lookup table of the Data Package",
    "citation": "CITATION.cff: how to cite this release (Citation File Format 1.2.0)",
    "errata": "Errata: known problems in the values (place, metric, dates, what is wrong, what the source said)",
}
DATAPACKAGE_DESCRIPTOR = "Frictionless Data Package descriptor: schemas, licences, sources, release"


class Column(NamedTuple):
    """One column of an exported table."""

    name: str
    type: str  # Frictionless field type in datapackage.json
    description: str  # in datapackage.json
    dictionary_type: str = ""  # on the data dictionary page
    definition: str = ""  # on the data dictionary page
    format: str = ""  # Frictionless field format, when there is one


def names(columns: "list[Column]") -> list[str]:
    return [column.name for column in columns]


DictionaryRow = tuple[str, str, str]  # (column, type, definition) as the data dictionary shows them

TIDY_COLUMNS = [
    Column(
        "date",
        "date",
        "The day the value refers to.",
        "date (YYYY-MM-DD)",
        "The day the value refers to, as reported by the source.",
    ),
    Column(
        "location_key",
        "string",
        "Our stable location key (see locations).",
        "text",
        "Our stable key: ISO 3166-1 alpha-2 for a country (IT), IT_25 for a first-level region, "
        "US_CA_06037 for a county, SHIP_… or EVENT_… for cruise ships and events.",
    ),
    Column("location_name", "string", "The location's name.", "text", "The location's English name."),
    Column("metric", "string", "Metric code (see metrics).", "text", "The metric code (see the metrics above)."),
    Column(
        "value",
        "number",
        "The value on that date. No row after a series' end (errata.csv: kind no_longer_reported).",
        "number",
        "The value on that date. For cumulative metrics, the running total. A series no longer reported "
        "has no rows from its end date on (the source's zeros or frozen values there are not data); "
        "errata.csv lists the ends (kind no_longer_reported, start = first date without data).",
    ),
    Column(
        "source",
        "string",
        "Name of the source that supplied the value (see sources).",
        "text",
        "The source that supplied the value (see the sources page for its licence).",
    ),
]
TIDY_HEADER = names(TIDY_COLUMNS)
TIDY_PRIMARY_KEY = ["date", "location_key", "metric"]

# The tidy table's columns in Parquet: the type names are pyarrow's (parquet.py maps them).
PARQUET_TYPES = {"date": "date32", "value": "float64"}  # every other column: string
PARQUET_COLUMNS = [(column.name, PARQUET_TYPES.get(column.name, "string")) for column in TIDY_COLUMNS]

JHU_DICTIONARY: list[DictionaryRow] = [
    ("Province/State", "text", "JHU's name for the region, empty for a whole country."),
    ("Country/Region", "text", 'JHU\'s name for the country (for example "Korea, South").'),
    ("Lat", "number", "Latitude of the location, as JHU published it."),
    ("Long", "number", "Longitude of the location, as JHU published it."),
    (
        "M/D/YY …",
        "integer",
        "One column per date (1/22/20, 1/23/20, …): the cumulative value on that date; "
        "empty from a series' end on (errata.csv, kind no_longer_reported).",
    ),
]
JHU_HEADER = [name for name, _type, _definition in JHU_DICTIONARY[:4]]  # then one column per date

TIDY_DICTIONARY: list[DictionaryRow] = [(c.name, c.dictionary_type, c.definition) for c in TIDY_COLUMNS]
PARQUET_DICTIONARY: list[DictionaryRow] = [
    (name, type_, "As in the tidy CSV, typed as a date." if type_ == "date32" else "As in the tidy CSV.")
    for name, type_ in PARQUET_COLUMNS
]

# The Data Package's lookup tables, beside the tidy CSV.
LOCATION_COLUMNS = [
    Column("key", "string", "Stable key: ISO 3166-1 alpha-2, IT_25, US_CA_06037, SHIP_..."),
    Column("name", "string", "Name."),
    Column("level", "string", "country, region, subregion or special."),
    Column("parent_key", "string", "Key of the enclosing location."),
    Column("country_code", "string", "ISO 3166-1 alpha-2 of the country."),
    Column("latitude", "number", "Latitude."),
    Column("longitude", "number", "Longitude."),
]
METRIC_COLUMNS = [
    Column("code", "string", "Metric code."),
    Column("name", "string", "Name."),
    Column("kind", "string", "cumulative, daily or current."),
    Column("unit", "string", "Unit."),
    Column("description", "string", "Definition."),
]
SOURCE_COLUMNS = [
    Column("name", "string", "Source name."),
    Column("institution", "string", "Publishing institution."),
    Column("url", "string", "Where the data come from.", format="uri"),
    Column("licence", "string", "Licence of the data."),
    Column("attribution", "string", "Attribution the licence asks for."),
]
