"""Exports: tidy CSV and Parquet equal the database, the Data Package validates, CSV cells are escaped."""
import csv
import gzip
import json

import pandas as pd
import pytest
from django.core.management import call_command

from dataset import exports
from dataset.models import Observation, Release
from places.models import Location, Metric
from sources.models import Source

from .jhu_data import early_file, import_jhu


@pytest.fixture
def early_import(reference_data):
    import_jhu(early_file("confirmed"))


def database_frame() -> pd.DataFrame:
    rows = Observation.objects.values_list("date", "location__key", "location__name", "metric__code", "value",
                                           "source__name")
    frame = pd.DataFrame(list(rows), columns=exports.TIDY_HEADER)
    frame["date"] = frame["date"].astype(str)
    return frame.sort_values(["date", "location_key", "metric"]).reset_index(drop=True)


def test_tidy_csv_reads_back_equal_to_the_database_in_stable_order(early_import, tmp_path):
    call_command("export_dataset", "--format", "tidy", "--output", str(tmp_path))
    text = pd.read_csv(tmp_path / exports.TIDY_NAME, dtype=str, keep_default_na=False)
    assert list(text.columns) == exports.TIDY_HEADER
    expected = database_frame()
    assert text.drop(columns="value").equals(expected.drop(columns="value").astype(str))
    assert (text["value"].astype(float).to_numpy() == expected["value"].to_numpy()).all()
    assert not text["value"].str.endswith(".0").any()
    with gzip.open(tmp_path / (exports.TIDY_NAME + ".gz"), "rt", encoding="utf-8") as handle:
        assert handle.read() == (tmp_path / exports.TIDY_NAME).read_text(encoding="utf-8")


def test_parquet_reads_back_typed_and_equal_to_the_database(early_import, tmp_path):
    call_command("export_dataset", "--format", "parquet", "--output", str(tmp_path))
    table = pd.read_parquet(tmp_path / exports.PARQUET_NAME, dtype_backend="pyarrow")
    assert str(table["date"].dtype) == "date32[day][pyarrow]"
    assert str(table["value"].dtype) == "double[pyarrow]"
    read = table.astype({"date": str}).astype(object)
    expected = database_frame().astype(object)
    pd.testing.assert_frame_equal(read.reset_index(drop=True), expected, check_dtype=False)


def test_the_data_package_validates(early_import, tmp_path):
    from frictionless import validate

    release = Release.objects.get()
    call_command("export_dataset", "--format", "datapackage", "--output", str(tmp_path))
    package = json.loads((tmp_path / "datapackage.json").read_text())
    assert package["release"]["number"] == release.number
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert "Johns Hopkins" in package["sources"][0]["title"]
    assert {r["name"] for r in package["resources"]} == {"observations", "locations", "metrics", "sources"}
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.fixture
def hostile(reference_data):
    """A location and a source whose names a spreadsheet would run as formulas."""
    source = Source.objects.create(name="@SUM(A1:A9)", institution="x", institution_type="other",
                                   url="https://example.org/hostile", status="approved")
    parent = Location.objects.get(key="IT")
    place = Location.objects.create(key="IT_FORMULA", name='=HYPERLINK("http://evil")', level="region",
                                    parent=parent, country_code="IT")
    country = Location.objects.create(key="XF", name="-2+3", level="country", country_code="", latitude=-11.25)
    release = Release.objects.create(number=1, description="test")
    metric = Metric.objects.get(code="confirmed")
    for loc in (place, country):
        Observation.objects.create(location=loc, metric=metric, date="2020-03-01", value=-4, source=source,
                                   release=release)


def test_csv_exports_escape_formula_cells_but_not_numbers(hostile, tmp_path):
    exports.write_tidy(tmp_path)
    with (tmp_path / exports.TIDY_NAME).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = {r["location_key"]: r for r in rows}
    assert names["IT_FORMULA"]["location_name"] == "'=HYPERLINK(\"http://evil\")"
    assert names["XF"]["location_name"] == "'-2+3"
    assert names["XF"]["source"] == "'@SUM(A1:A9)"
    assert names["XF"]["value"] == "-4"
    exports.write_jhu(tmp_path)
    with (tmp_path / "time_series_covid19_confirmed_global.csv").open(encoding="utf-8") as handle:
        jhu = list(csv.DictReader(handle))
    assert [(r["Country/Region"], r["Lat"], r["3/1/20"]) for r in jhu] == [("'-2+3", "-11.25", "-4")]


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-x", "'-x"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-11.2027", "-11.2027"), ("Korea, South", "Korea, South"), ("", ""),
])
def test_escape_cell(text, expected):
    assert exports.escape_cell(text) == expected
