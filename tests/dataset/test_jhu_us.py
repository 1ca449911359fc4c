"""JHU's US layout: counties become places under their state and the JHU export writes the US files back.

The place columns (UID ... Combined_Key, Population) are real rows of JHU's deaths_US file
(tests/data/jhu_us/, see tests/data/SOURCES.md); the counts are MADE UP by this test, since no real
US time series is in the repository.
"""

import csv
from datetime import date
from pathlib import Path

from dataset.exports.jhu import write_jhu
from dataset.models import JhuRow
from places.models import Location

from .jhu_data import ROOT, import_jhu, stored_value

IDENTITY = ROOT / "tests" / "data" / "jhu_us" / "time_series_covid19_deaths_US.IDENTITY_first_rows.csv"
DATES = ["1/22/20", "1/23/20", "1/24/20", "3/1/20"]


def us_file(folder: Path, metric: str, *, population: bool) -> Path:
    """A US-layout file in JHU's own form (LF, quoted Combined_Key) with made-up counts."""
    with IDENTITY.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    width = 12 if population else 11
    path = folder / f"time_series_covid19_{metric}_US.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(rows[0][:width] + DATES)
        for number, row in enumerate(rows[1:]):
            made_up_counts = [str(number * 10 + day * (2 if population else 7)) for day in range(len(DATES))]
            writer.writerow(row[:width] + made_up_counts)
    return path


def test_us_files_come_back_byte_for_byte(reference_data, tmp_path):
    confirmed = us_file(tmp_path, "confirmed", population=False)
    deaths = us_file(tmp_path, "deaths", population=True)
    import_jhu(confirmed, deaths)

    out = tmp_path / "export"
    written = write_jhu(out)

    assert sorted(p.name for p in written) == [confirmed.name, deaths.name]
    assert (out / confirmed.name).read_bytes() == confirmed.read_bytes()
    assert (out / deaths.name).read_bytes() == deaths.read_bytes()


def test_counties_are_places_under_their_state_keyed_by_fips(reference_data, tmp_path):
    import_jhu(us_file(tmp_path, "deaths", population=True))

    county = Location.objects.get(key="US_PR_72001")
    assert county.name == "Adjuntas"
    assert county.level == Location.Level.SUBREGION
    assert county.parent.key == "US_PR"
    assert stored_value("US_PR_72001", "deaths", date(2020, 1, 23)) == 32
    territory = JhuRow.objects.get(layout=JhuRow.Layout.US, province_state="Guam").location
    assert territory.key == "US_GU"


def test_no_file_is_written_without_rows(reference_data, tmp_path):
    """Only US places hold values: no global file, where one header-only file was written before."""
    import_jhu(us_file(tmp_path, "deaths", population=True))

    written = write_jhu(tmp_path / "export")

    assert [p.name for p in written] == ["time_series_covid19_deaths_US.csv"]
    assert all(len(p.read_text(encoding="utf-8").splitlines()) > 1 for p in written)
