"""The Frictionless Data Package validates and describes every column the files have."""

import csv
import json

from django.core.management import call_command

from dataset.exports.schema import TIDY_COLUMNS
from dataset.models import Release


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


def test_every_file_of_the_package_has_exactly_the_columns_its_resource_describes(early_import, tmp_path):
    call_command("export_dataset", "--format", "datapackage", "--output", str(tmp_path))
    package = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in package["resources"]:
        with (tmp_path / resource["path"]).open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == [field["name"] for field in resource["schema"]["fields"]], resource["name"]
    observations = package["resources"][0]["schema"]["fields"]
    assert [(f["name"], f["type"], f["description"]) for f in observations] == [
        (c.name, c.type, c.description) for c in TIDY_COLUMNS
    ]
