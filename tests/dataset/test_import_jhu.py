"""import_jhu on small files: the edited early JHU copy, bad rows, any line ending, the US layout."""

from datetime import date

import numpy as np
import pytest
from django.core.management.base import CommandError

from dataset.jhu_files import read_jhu_file
from dataset.models import JhuRow, Observation, Release
from places.models import Location, LocationAlias

from .jhu_data import early_file, import_jhu, original_cell, read_original, stored_value, write_csv


def test_the_early_confirmed_file_with_iso_dates_imports(reference_data):
    path = early_file("confirmed")
    original = read_original(path)
    assert original.columns[4] == "2020-01-22"
    import_jhu(path)
    assert Observation.objects.count() == original.shape[0] * (original.shape[1] - 4)
    assert stored_value("IT", "confirmed", date(2020, 3, 9)) == original_cell(original, "Italy", "2020-03-09")
    assert Release.objects.count() == 1


def test_the_early_deaths_file_is_refused_at_its_totals_row(reference_data):
    path = early_file("deaths")
    lines = path.read_bytes().decode().splitlines()
    totals_line = next(n for n, line in enumerate(lines, start=1) if line.startswith(",,,,"))
    locations = Location.objects.count()
    with pytest.raises(CommandError) as refused:
        import_jhu(path)
    message = str(refused.value)
    assert "time_series_covid19_deaths_global.csv" in message
    assert f"line {totals_line}:" in message
    assert "no Country/Region" in message
    assert Observation.objects.count() == 0
    assert Location.objects.count() == locations
    assert not Release.objects.exists()


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_any_line_ending_reads_the_same(reference_data, tmp_path, newline):
    source = early_file("confirmed")
    lines = source.read_bytes().decode().splitlines()
    copy = write_csv(tmp_path / source.name, lines, newline)
    expected, parsed = read_jhu_file(source), read_jhu_file(copy)
    assert parsed.dates == expected.dates
    assert np.array_equal(parsed.values, expected.values, equal_nan=True)
    assert parsed.rows["line"].tolist() == expected.rows["line"].tolist()


@pytest.mark.parametrize(
    ("name", "rows", "refusal"),
    [
        (
            "time_series_covid19_confirmed_global.csv",
            [",Italy,41.87194,12.56738,0,0", ",Atlantis,1,2,0,3"],
            r"time_series_covid19_confirmed_global\.csv, line 3: .*'Atlantis'",
        ),
        (
            "time_series_covid19_deaths_global.csv",
            [",Italy,41.87194,12.56738,0,n/a"],
            r"line 2, column 6 \(1/23/20\): 'n/a' is not a number",
        ),
    ],
    ids=["unknown-country-names-file-and-line", "non-numeric-value-names-line-and-date"],
)
def test_a_bad_row_is_refused_and_nothing_is_imported(reference_data, tmp_path, name, rows, refusal):
    path = write_csv(tmp_path / name, ["Province/State,Country/Region,Lat,Long,1/22/20,1/23/20", *rows])
    with pytest.raises(CommandError, match=refusal):
        import_jhu(path)
    assert Observation.objects.count() == 0


def test_empty_cells_are_missing_values_not_zeros(reference_data, tmp_path):
    path = write_csv(
        tmp_path / "time_series_covid19_deaths_global.csv",
        [
            "Province/State,Country/Region,Lat,Long,1/22/20,1/23/20,1/24/20",
            ",Italy,41.87194,12.56738,0,,7",
        ],
    )
    import_jhu(path)
    assert sorted(Observation.objects.values_list("date", "value")) == [(date(2020, 1, 22), 0), (date(2020, 1, 24), 7)]


def test_a_file_without_a_metric_in_its_name_is_refused(reference_data, tmp_path):
    path = write_csv(tmp_path / "series.csv", ["Province/State,Country/Region,Lat,Long,1/22/20", ",Italy,1,2,0"])
    with pytest.raises(CommandError, match="cannot tell the metric"):
        import_jhu(path)


def test_us_counties_get_state_and_fips_keys(reference_data, tmp_path):
    path = write_csv(
        tmp_path / "time_series_covid19_confirmed_US.csv",
        [
            "UID,iso2,iso3,code3,FIPS,Admin2,Province_State,Country_Region,Lat,Long_,Combined_Key,1/22/20,1/23/20",
            '84001001,US,USA,840,1001.0,Autauga,Alabama,US,32.53952745,-86.64408227,"Autauga, Alabama, US",0,2',
            "84006037,US,USA,840,6037.0,Los Angeles,California,US,34.30828379,-118.2282411,"
            '"Los Angeles, California, US",1,5',
            '84088888,US,USA,840,88888.0,,Diamond Princess,US,0.0,0.0,"Diamond Princess, US",0,49',
        ],
    )
    import_jhu(path)
    county = Location.objects.get(key="US_AL_01001")
    assert county.level == Location.Level.SUBREGION
    assert county.parent.key == "US_AL"
    assert stored_value("US_CA_06037", "confirmed", date(2020, 1, 23)) == 5
    ship = Location.objects.get(jhu_rows__province_state="Diamond Princess", jhu_rows__layout=JhuRow.Layout.US)
    assert ship.parent.key == "US"
    assert ship.level == Location.Level.SPECIAL
    assert LocationAlias.objects.get(scheme="jhu", text="Autauga, Alabama, US").location == county
