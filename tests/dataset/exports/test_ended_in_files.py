"""A release's files end a series where it is marked no longer reported, as the pages and the API do,
and carry the release's CITATION.cff with its checksum listed like the other files."""

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from dataset.exports.ends import cut
from dataset.exports.release import rebuild_release
from dataset.exports.table import Table
from dataset.models import Erratum, Release
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from tests.dataset.jhu_data import early_file, import_jhu
from tests.dataset.release_files import downloaded
from tests.dataset.test_ended import RECOVERED, _recovered_file
from tests.sources.factories import SourceFactory

TIDY = "covid19-open-data.csv"
END = "2020-03-20"  # Italy's confirmed series "ends" here in these tests


def _mark_italy_ended():
    Erratum.objects.create(
        location=Location.objects.get(key="IT"),
        metric=Metric.objects.get(code="confirmed"),
        kind=Erratum.Kind.NO_LONGER_REPORTED,
        start=END,
        what_is_wrong="No longer reported.",
    )


@pytest.fixture
def two_releases(reference_data, django_capture_on_commit_callbacks):
    """Release 1 (JHU's early confirmed file), then a mark on Italy, then release 2 (one French value)."""
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    _mark_italy_ended()
    frame = pd.DataFrame(
        {
            "location_id": [Location.objects.get(key="FR").pk],
            "metric_id": [Metric.objects.get(code="confirmed").pk],
            "date": [pd.Timestamp("2020-03-25")],
            "value": [99_999.0],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        upsert_observations(frame, source=SourceFactory(), description="FR")
    return Release.objects.order_by("number")


def _folder(release: Release) -> Path:
    return Path(settings.EXPORTS_ROOT) / str(release.number)


def _italy_dates(frame: pd.DataFrame) -> list[str]:
    rows = frame[(frame["location_key"] == "IT") & (frame["metric"] == "confirmed")]
    return sorted(str(day)[:10] for day in rows["date"])


def test_the_files_leave_out_the_values_after_a_series_end(two_releases, tmp_path):
    first, second = two_releases
    tidy = pd.read_csv(io.BytesIO(downloaded(second, TIDY)), dtype=str)
    italy = _italy_dates(tidy)
    assert italy[-1] == "2020-03-19"  # the day before the end
    assert "2020-03-30" in set(tidy[tidy["location_key"] == "FR"]["date"])  # other series go on
    parquet = pd.read_parquet(io.BytesIO(downloaded(second, "covid19-open-data.parquet")))
    assert _italy_dates(parquet) == italy
    jhu = pd.read_csv(
        io.BytesIO(downloaded(second, "time_series_covid19_confirmed_global.csv")), dtype=str, keep_default_na=False
    )
    row = jhu[(jhu["Country/Region"] == "Italy") & (jhu["Province/State"] == "")].iloc[0]
    assert row["3/19/20"] != ""
    assert (row["3/20/20"], row["3/30/20"]) == ("", "")
    # Both releases rebuild byte for byte from history; the release before the mark keeps its values.
    for release in (first, second):
        rebuilt = rebuild_release(release, tmp_path / str(release.number))
        assert all(now == recorded for _name, now, recorded in rebuilt)
    assert _italy_dates(pd.read_csv(tmp_path / str(first.number) / TIDY, dtype=str))[-1] == "2020-03-30"


def test_the_data_dictionary_says_what_happens_after_an_end(client, db):
    html = client.get(reverse("dataset:dictionary")).content.decode()
    assert "no_longer_reported" in html


def test_an_export_of_the_current_data_leaves_them_out_too(two_releases, tmp_path):
    call_command("export_dataset", "--format", "tidy", "--output", str(tmp_path), stdout=io.StringIO())
    assert _italy_dates(pd.read_csv(tmp_path / TIDY, dtype=str))[-1] == "2020-03-19"


def test_every_release_carries_its_citation_file_with_its_checksum(client, two_releases):
    second = two_releases.last()
    listed = second.files.get(name="CITATION.cff")
    assert listed.format == "citation"
    body = (_folder(second) / "CITATION.cff").read_bytes()
    assert hashlib.sha256(body).hexdigest() == listed.sha256
    served = client.get(reverse("dataset:download_file", args=[second.number, "CITATION.cff"]))
    assert served.content == body  # the download route serves the same bytes
    package = json.loads((_folder(second) / "datapackage.json").read_text())
    assert package["citation"]["path"] == "CITATION.cff"
    assert f"Release {second.number}," in package["citation"]["text"]


def test_cut_keeps_everything_before_an_end_and_every_unmarked_series():
    day = np.datetime64("2021-08-04", "D").astype("int64")
    table = Table(
        np.array([day, day + 1, day + 2, day + 1, day + 1]),
        np.array([7, 7, 7, 7, 2]),
        np.array([3, 3, 3, 1, 3]),
        np.array([10.0, 0.0, 0.0, 5.0, 1.0]),
        np.ones(5, dtype="int64"),
    )
    kept = cut(table, {(7, 3): date(2021, 8, 5), (9999, 3): date(2020, 1, 1)})
    assert list(zip(kept.location_ids, kept.metric_ids, kept.values, strict=True)) == [
        (7, 3, 10.0),
        (7, 1, 5.0),
        (2, 3, 1.0),
    ]
    assert cut(table, {}) is table


def test_the_import_that_marks_jhu_zeros_leaves_them_out_of_its_own_release(
    reference_data, tmp_path, django_capture_on_commit_callbacks
):
    path = _recovered_file(tmp_path, RECOVERED)
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(path, extra=())  # the marks come after the release, in the same import
    release = Release.objects.get()
    tidy = pd.read_csv(io.BytesIO(downloaded(release, TIDY)), dtype=str)
    italy = tidy[(tidy["location_key"] == "IT") & (tidy["metric"] == "recovered")]
    assert italy["value"].astype(float).tolist() == [0, 5, 40, 90, 120]  # no zeros after the end
    rebuilt = rebuild_release(release, tmp_path / "rebuilt")
    assert all(now == recorded for _name, now, recorded in rebuilt)
