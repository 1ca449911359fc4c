"""build_exports: a release's files land under EXPORTS_ROOT/<number>/ with size and SHA-256, twice safely."""

import hashlib
from pathlib import Path

from django.conf import settings

from dataset.models import ReleaseFile
from dataset.tasks import build_exports

from .jhu_data import early_file, import_jhu


def test_an_import_builds_the_release_exports_after_commit(reference_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    files = {f.name: f for f in ReleaseFile.objects.all()}
    assert {
        "covid19-open-data.csv",
        "covid19-open-data.csv.gz",
        "covid19-open-data.parquet",
        "datapackage.json",
        "time_series_covid19_confirmed_global.csv",
    } <= set(files)
    for record in files.values():
        path = Path(settings.EXPORTS_ROOT) / record.path
        assert path.parent.name == str(record.release.number)
        assert path.stat().st_size == record.size
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record.sha256


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
    assert len(list((folder / "1").iterdir())) == len(before)


def test_an_unknown_release_is_ignored(db):
    assert build_exports.delay(999_999).get() == 0
