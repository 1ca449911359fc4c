"""build_exports: a release's files land under EXPORTS_ROOT/<number>/ (the CSV and .gz as segments) with
size and SHA-256, twice safely; finish_exports records the checksums the release left pending."""

import hashlib
from pathlib import Path

from django.conf import settings

from dataset.exports.release import build_release_exports
from dataset.models import Release, ReleaseFile
from dataset.tasks import build_exports, finish_exports

from .jhu_data import early_file, import_jhu
from .release_files import downloaded

TIDY = "covid19-open-data.csv"


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
    assert finish_exports.apply(args=[release.pk]).get() == 2
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
