"""The five real files' journeys: what a volunteer chooses for each, in one place.

The acceptance tests (test_real_files.py) walk each journey through the web pages, and the table of
docs/real-files.md (scripts/real_files_table.py) reports the same journeys, so the choices cannot drift.
A choice is written the way a volunteer thinks of it (this column is the place; keep these rows; read
this sheet); walk.changes_for turns it into what the mapping page's form posts.

What each file holds is read from the file itself (pandas); only the places' keys of a sample are
written here, as the ISO 3166-2 codes the tests check the resolver against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

REAL = Path(__file__).resolve().parent.parent / "data" / "real"  # attribution: tests/data/SOURCES.md
_READ: dict[str, dict[str, pd.DataFrame]] = {}  # file name -> its sheets, read once per session


@dataclass(frozen=True)
class Choices:
    """What a volunteer answers on the mapping page; everything else stays as the page shows it."""

    roles: dict[str, str] = field(default_factory=dict)  # column -> role ("location", "metric:icu", "ignore")
    sheets: list[str] | None = None  # the sheets to read (None: as the page shows them)
    keep_rows: dict[str, list[str]] = field(default_factory=dict)  # column -> the values whose rows are kept
    places: dict[str, str] = field(default_factory=dict)  # unknown name -> location key, or "leave"
    metric: str | None = None  # one column per place or date: the metric of the values
    location: str | None = None  # the place of all figures

    def describe(self) -> str:
        """The choices as a volunteer would say them, for the table."""
        said = [f"sheets {', '.join(self.sheets)}"] if self.sheets is not None else []
        said += [f"{column} as {role.removeprefix('metric:')}" for column, role in self.roles.items()]
        said += [f"keep rows whose {column} is {' or '.join(values)}" for column, values in self.keep_rows.items()]
        said += [f"“{text}” → {key}" for text, key in self.places.items()]
        said += [f"metric {self.metric}"] if self.metric else []
        said += [f"place of all figures {self.location}"] if self.location else []
        return "; ".join(said) or "the page's suggestions, unchanged"


@dataclass(frozen=True)
class Sample:
    """Values to compare with the dataset: the rows of `place` (a place text in `place_column`, or a
    column of its own when `place_column` is None), for each of `columns` (file column -> metric)."""

    place: str
    key: str  # the place's location key (ISO 3166-2, with _ for -)
    columns: dict[str, str]
    place_column: str | None = None


@dataclass(frozen=True)
class Journey:
    filename: str
    country: str  # the national source's country
    choices: Choices | None  # None: the upload alone gets to awaiting review
    samples: list[Sample]
    value_columns: dict[str, str]  # the file's columns whose values are taken -> metric
    date_column: str
    sheet: str | None = None  # the workbook's sheet the values come from
    date_format: str | None = None  # strftime of the file's dates, when pandas needs telling

    @property
    def path(self) -> Path:
        return REAL / self.filename

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Every sheet of the file as text cells ("" when empty): what the counts are made from."""
        if self.filename not in _READ:
            if self.path.suffix == ".xlsx":
                frames = pd.read_excel(self.path, sheet_name=None, dtype=str, keep_default_na=False)
                _READ[self.filename] = {str(name): frame for name, frame in frames.items()}
            else:
                _READ[self.filename] = {"": pd.read_csv(self.path, dtype=str, keep_default_na=False)}
        return _READ[self.filename]

    def kept_rows(self, frame: pd.DataFrame) -> pd.Series:
        """The rows the volunteer's row filter keeps (every row without one)."""
        keep = pd.Series(True, index=frame.index)
        for column, values in (self.choices.keep_rows if self.choices else {}).items():
            keep &= frame[column].str.strip().isin(values)
        return keep

    def steps(self) -> str:
        if self.choices is None:
            return "upload"
        return f"upload; one mapping page: {self.choices.describe()}"


def numeric(cells: pd.Series) -> pd.Series:
    """The cells that hold a number (a figure, or a number that is not one: a code, a date)."""
    return pd.to_numeric(cells.astype(str).str.strip().replace("", None), errors="coerce")


def dates(cells: pd.Series, date_format: str | None) -> pd.Series:
    return pd.to_datetime(cells.str.strip(), format=date_format, errors="coerce").dt.date


# --- the five files --------------------------------------------------------------------------------

# Italy: the DPC's workbook of 15 sheets. The first is the regional series; the thirteen numbered sheets
# repeat one day each of it (with a =SUM() row); `dati` is the national series. A volunteer reads the series.
ITALY = Journey(
    filename="it_dpc-covid19-ita-master_20200308.xlsx",
    country="IT",
    choices=Choices(sheets=["dpc-covid19-ita-regioni"]),
    sheet="dpc-covid19-ita-regioni",
    date_column="data",
    samples=[
        Sample("Lombardia", "IT_25", {"totale_casi": "confirmed", "deceduti": "deaths"}, "denominazione_regione"),
        Sample("Veneto", "IT_34", {"terapia_intensiva": "icu", "tamponi": "tests"}, "denominazione_regione"),
        Sample("Emilia Romagna", "IT_45", {"dimessi_guariti": "recovered"}, "denominazione_regione"),
        Sample("Lazio", "IT_62", {"totale_ospedalizzati": "hospitalized"}, "denominazione_regione"),
    ],
    value_columns={
        "terapia_intensiva": "icu",
        "totale_ospedalizzati": "hospitalized",
        "dimessi_guariti": "recovered",
        "deceduti": "deaths",
        "totale_casi": "confirmed",
        "tamponi": "tests",
    },
)

# South Africa: one column per province, an UNKNOWN column and a total; the metric is in the file's name.
SOUTH_AFRICA = Journey(
    filename="za_covid19za_provincial_cumulative_timeline_confirmed.csv",
    country="ZA",
    choices=None,
    date_column="date",
    date_format="%d-%m-%Y",
    samples=[
        Sample("GP", "ZA_GP", {"GP": "confirmed"}),
        Sample("WC", "ZA_WC", {"WC": "confirmed"}),
        Sample("KZN", "ZA_KZN", {"KZN": "confirmed"}),
        Sample("NC", "ZA_NC", {"NC": "confirmed"}),
    ],
    value_columns=dict.fromkeys(("EC", "FS", "GP", "KZN", "LP", "MP", "NC", "NW", "WC"), "confirmed"),
)

# Korea: long by province with English names; released are the recovered.
KOREA = Journey(
    filename="kr_TimeProvince.csv",
    country="KR",
    choices=None,
    date_column="date",
    samples=[
        Sample("Seoul", "KR_11", {"confirmed": "confirmed", "released": "recovered"}, "province"),
        Sample("Daegu", "KR_27", {"deceased": "deaths", "confirmed": "confirmed"}, "province"),
        Sample("Gyeongsangbuk-do", "KR_47", {"released": "recovered"}, "province"),
        Sample("Jeju-do", "KR_49", {"confirmed": "confirmed"}, "province"),
        Sample("Daejeon", "KR_30", {"confirmed": "confirmed"}, "province"),
    ],
    value_columns={"confirmed": "confirmed", "released": "recovered", "deceased": "deaths"},
)

# Portugal: the DGS series, national, one row per date and 93 columns; the country is the place.
PORTUGAL = Journey(
    filename="pt_dssg_data.csv",
    country="PT",
    choices=Choices(location="PT"),
    date_column="data",
    date_format="%d-%m-%Y",
    samples=[
        Sample("PT", "PT", {"confirmados": "confirmed", "obitos": "deaths", "recuperados": "recovered"}),
        Sample("PT", "PT", {"internados": "hospitalized", "internados_uci": "icu"}),
        Sample("Açores", "PT_20", {"confirmados_acores": "confirmed"}),
        Sample("Madeira", "PT_30", {"obitos_madeira": "deaths"}),
    ],
    value_columns={
        "confirmados": "confirmed",
        "recuperados": "recovered",
        "obitos": "deaths",
        "internados": "hospitalized",
        "internados_uci": "icu",
        "confirmados_acores": "confirmed",
        "confirmados_madeira": "confirmed",
        "obitos_acores": "deaths",
        "obitos_madeira": "deaths",
        "recuperados_acores": "recovered",
        "recuperados_madeira": "recovered",
    },
)

# France: long by department, region, country and world, once per publisher. A volunteer keeps Santé
# publique France's own figures (its two publications) and the places inside France.
FRANCE = Journey(
    filename="fr_opencovid19_chiffres-cles_20200411.csv",
    country="FR",
    choices=Choices(
        roles={"maille_nom": "location"},
        keep_rows={
            "source_type": ["sante-publique-france", "sante-publique-france-data"],
            "granularite": ["departement", "region", "pays", "collectivite-outremer"],
        },
    ),
    date_column="date",
    samples=[
        Sample("Paris", "FR_75C", {"hospitalises": "hospitalized", "reanimation": "icu"}, "maille_nom"),
        Sample("Bouches-du-Rhône", "FR_13", {"deces": "deaths", "gueris": "recovered"}, "maille_nom"),
        Sample("Île-de-France", "FR_IDF", {"cas_confirmes": "confirmed"}, "maille_nom"),
        Sample("France", "FR", {"cas_confirmes": "confirmed", "deces": "deaths"}, "maille_nom"),
    ],
    value_columns={
        "cas_confirmes": "confirmed",
        "deces": "deaths",
        "reanimation": "icu",
        "hospitalises": "hospitalized",
        "gueris": "recovered",
        "depistes": "tests",
    },
)

JOURNEYS = {"IT": ITALY, "ZA": SOUTH_AFRICA, "KR": KOREA, "PT": PORTUGAL, "FR": FRANCE}
