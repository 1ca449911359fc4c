"""build_exports: a release's files land under EXPORTS_ROOT/<number>/ (the CSV and .gz as segments) with
size and SHA-256, twice safely; finish_exports records the checksums the release left pending."""

import hashlib
import io
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.management import call_command

from dataset.exports.release import build_release_exports
from dataset.models import Observation, Release, ReleaseFile
from dataset.tasks import build_exports, finish_exports
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from tests.sources.factories import SourceFactory

from .jhu_data import early_file, import_jhu
from .release_files import downloaded

TIDY = "covid19-open-data.csv"
PARQUET = "covid19-open-data.parquet"
JHU = "time_series_covid19_confirmed_global.csv"


def test_an_import_builds_the_release_exports_after_commit(reference_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    files = {f.name: f for f in ReleaseFile.objects.all()}
    assert {
        TIDY,
        f"{TIDY}.gz",
        "covid19-open-data.parquet",
        "datapackage.json",
        "time_series_covid19_confirmed_global.csv",
    } <= set(files)
    for record in files.values():
        body = downloaded(record.release, record.name)
        assert record.path == f"{record.release.number}/{record.name}"
        assert len(body) == record.size, record.name
        assert hashlib.sha256(body).hexdigest() == record.sha256, record.name  # finish_exports ran after


def test_the_checksums_of_the_csv_are_pending_until_the_follow_up_task(
    reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # no task runs: the test calls each step
        import_jhu(early_file("confirmed"), extra=())
    release = Release.objects.get()
    build_release_exports(release=release)
    pending = {f.name for f in release.files.filter(sha256="")}
    assert pending == {TIDY, f"{TIDY}.gz"}
    # No whole copy of the CSV is written: it is served from its segments.
    assert not (Path(settings.EXPORTS_ROOT) / str(release.number) / TIDY).exists()
    # The Parquet and JHU files are the follow-up's too: not listed before they exist.
    assert not release.files.filter(name__in=[PARQUET, JHU]).exists()
    # It writes them (2 files) and records the CSV's and .gz's checksums (2).
    assert finish_exports.apply(args=[release.pk]).get() == 4
    assert {PARQUET, JHU} <= set(release.files.values_list("name", flat=True))
    assert finish_exports.apply(args=[release.pk]).get() == 0  # safe to run twice
    for record in release.files.filter(name__in=pending):
        assert hashlib.sha256(downloaded(release, record.name)).hexdigest() == record.sha256


def test_building_twice_keeps_one_set_of_files(reference_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    before = sorted(ReleaseFile.objects.values_list("name", "sha256"))
    release_id = ReleaseFile.objects.first().release_id
    build_exports.delay(release_id)
    assert sorted(ReleaseFile.objects.values_list("name", "sha256")) == before
    # A file lost from disk is written again, byte for byte the same.
    folder = Path(settings.EXPORTS_ROOT)
    (folder / "1" / "covid19-open-data.parquet").unlink()
    (folder / "1" / "datapackage.json").unlink()
    build_exports.delay(release_id)
    assert sorted(ReleaseFile.objects.values_list("name", "sha256")) == before
    assert sorted(p.name for p in folder.iterdir()) == ["1", "store"]  # no staging folder left
    assert len(list((folder / "1").iterdir())) == len(before) - 2  # the CSV and .gz: segments


def test_an_unknown_release_is_ignored(db):
    assert build_exports.delay(999_999).get() == 0
    assert finish_exports.delay(999_999).get() == 0


def test_a_release_superseded_before_its_follow_up_gets_its_files_from_export_dataset(
    reference_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    releases = []
    for day, value in (("2020-03-15", 1), ("2020-03-16", 2)):
        frame = pd.DataFrame(
            {
                "location_id": [Location.objects.get(key="IT").pk],
                "metric_id": [Metric.objects.get(code="confirmed").pk],
                "date": [pd.Timestamp(day)],
                "value": [value],
            }
        )
        with django_capture_on_commit_callbacks(execute=False):  # the tasks run below, in the order tested
            releases.append(upsert_observations(frame, source=SourceFactory(), description=day).release)
        build_release_exports(release=releases[-1])
    second, third = releases
    # The follow-up of a release no longer the latest writes no file; it still records its checksums.
    assert finish_exports.apply(args=[second.pk]).get() == 2
    assert not second.files.filter(name=PARQUET).exists()
    assert not second.files.filter(sha256="").exists()
    # The latest release's follow-up writes its Parquet and every JHU file (the previous release's are missing).
    assert finish_exports.apply(args=[third.pk]).get() == 4
    assert downloaded(third, JHU).startswith(b"Province/State,")
    # The superseded release's files are rebuilt on demand, and listed with their checksums.
    call_command("export_dataset", "--release", str(second.number), stdout=io.StringIO())
    parquet = second.files.get(name=PARQUET)
    assert hashlib.sha256(downloaded(second, PARQUET)).hexdigest() == parquet.sha256
    assert len(pd.read_parquet(io.BytesIO(downloaded(second, PARQUET)))) == Observation.objects.count()
