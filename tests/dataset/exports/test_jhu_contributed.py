"""The JHU-layout export holds every value of the dataset, those contributed through the portal included:
JHU's rows carry the current values, and places JHU did not have get a row built from the place."""

import csv
from pathlib import Path

import numpy as np
import pytest

from dataset import snapshots
from dataset.exports.jhu import write_jhu
from dataset.exports.jhu_table import write_jhu_from_table
from dataset.exports.table import Lookups, from_snapshot
from places.models import Location
from tests.dataset.api.builders import make_source, publish
from tests.dataset.jhu_data import import_jhu, write_csv

HEADER = "Province/State,Country/Region,Lat,Long,1/22/20,1/23/20"


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def from_release(directory: Path) -> list[Path]:
    """The files as a release writes them: from the value snapshot, not the database."""
    values = snapshots.current()
    table = from_snapshot(
        np.asarray(values.keys), np.asarray(values.values), np.asarray(values.source_ids), Lookups.read()
    )
    return write_jhu_from_table(directory, table)


@pytest.fixture
def contributed(reference_data, tmp_path):
    imported = write_csv(
        tmp_path / "time_series_covid19_confirmed_global.csv",
        [HEADER, ",Italy,41.87194,12.56738,0,1", "Australian Capital Territory,Australia,-35.4735,149.0124,0,2"],
    )
    import_jhu(imported)
    volunteers = make_source("Volunteers")
    publish(
        {
            ("IT", "confirmed", "2020-01-23"): 5,  # a JHU row's value corrected
            ("IT", "confirmed", "2020-01-24"): 9,  # a day JHU's file did not have
            ("IT_25", "confirmed", "2020-01-23"): 3,  # a region JHU never had
            ("FR", "confirmed", "2020-01-22"): 7,  # a country JHU's file did not have
            ("AU_ACT", "deaths", "2020-01-23"): 1,  # a metric JHU's file did not have, for one of its rows
        },
        source=volunteers,
    )
    return tmp_path


@pytest.mark.parametrize("write", [write_jhu, from_release], ids=["export_dataset", "release"])
def test_contributed_values_and_places_are_in_the_jhu_files(contributed, write):
    out = contributed / "out"
    written = sorted(path.name for path in write(out))
    assert written == ["time_series_covid19_confirmed_global.csv", "time_series_covid19_deaths_global.csv"]
    lombardy = Location.objects.get(key="IT_25")
    france = Location.objects.get(key="FR")
    confirmed = rows_of(out / "time_series_covid19_confirmed_global.csv")
    assert confirmed[0] == ["Province/State", "Country/Region", "Lat", "Long", "1/22/20", "1/23/20", "1/24/20"]
    assert confirmed[1:3] == [
        ["", "Italy", "41.87194", "12.56738", "0", "5", "9"],
        ["Australian Capital Territory", "Australia", "-35.4735", "149.0124", "0", "2", ""],
    ]
    built = {(row[0], row[1]): row for row in confirmed[3:]}
    assert list(built) == sorted(built, key=lambda pair: (pair[1], pair[0]))
    assert built[("", france.name)][4:] == ["7", "", ""]
    region = built[(lombardy.name, "Italy")]  # the country named as JHU names it
    assert region[2:] == [
        "" if lombardy.latitude is None else repr(lombardy.latitude),
        "" if lombardy.longitude is None else repr(lombardy.longitude),
        "",
        "3",
        "",
    ]
    deaths = rows_of(out / "time_series_covid19_deaths_global.csv")
    assert deaths == [
        ["Province/State", "Country/Region", "Lat", "Long", "1/23/20"],
        ["Australian Capital Territory", "Australia", "-35.4735", "149.0124", "1"],  # JHU's row, from confirmed
    ]


def test_a_second_level_region_has_no_row_and_no_file_is_header_only(contributed):
    county = Location.objects.filter(level=Location.Level.SUBREGION).first()
    if county is None:
        county = Location.objects.create(
            key="IT_25_MI", name="Milano", level=Location.Level.SUBREGION, parent=Location.objects.get(key="IT_25")
        )
    publish({(county.key, "recovered", "2020-01-23"): 4}, source=make_source("Province"))
    written = [path.name for path in write_jhu(contributed / "out")]
    assert "time_series_covid19_recovered_global.csv" not in written
    for path in (contributed / "out").iterdir():
        assert len(rows_of(path)) > 1
