"""A release costs what it changed: only the changed parts of the exports are written, the latest
release's files are whole and equal to a build from scratch, retention removes the files of releases
it does not keep, and `export_dataset --release N` rebuilds them byte for byte from history."""

import hashlib
import io
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from dataset.exports import segments
from dataset.exports.jhu import write_jhu
from dataset.exports.release import rebuild_release
from dataset.models import Observation, Release
from dataset.upsert import upsert_observations
from places.models import Location, Metric
from tests.sources.factories import SourceFactory

from .jhu_data import early_file, import_jhu
from .release_files import downloaded

TIDY = "covid19-open-data.csv"


@pytest.fixture
def imported(reference_data, django_capture_on_commit_callbacks):
    """Release 1: JHU's early confirmed series, with its exports built."""
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    return Release.objects.get()


def change(
    django_capture_on_commit_callbacks, country: str, day: str, value: float, metric: str = "confirmed", source=None
):
    """A release changing one value, its exports built as after any release."""
    frame = pd.DataFrame(
        {
            "location_id": [Location.objects.get(key=country).pk],
            "metric_id": [Metric.objects.get(code=metric).pk],
            "date": [pd.Timestamp(day)],
            "value": [value],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = upsert_observations(frame, source=source or SourceFactory(), description=f"{country} {day}")
    assert result.release is not None
    return result.release


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recorded(release: Release) -> dict[str, str]:
    return dict(release.files.values_list("name", "sha256"))


def folder(release: Release) -> Path:
    return Path(settings.EXPORTS_ROOT) / str(release.number)


def packs() -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (segments.store_root(Path(settings.EXPORTS_ROOT)) / "packs").iterdir()}


def test_a_small_change_writes_only_the_changed_parts(imported, django_capture_on_commit_callbacks):
    first = change(django_capture_on_commit_callbacks, "IT", "2020-03-01", 5, metric="deaths")
    first_packs = packs()
    second = change(django_capture_on_commit_callbacks, "IT", "2020-03-15", 123_456)
    new_packs = {name: size for name, size in packs().items() if name not in first_packs}
    whole_gz = len(downloaded(second, f"{TIDY}.gz"))
    # One segment of the tidy CSV was written again: a few hundred bytes, not the whole file.
    assert len(new_packs) == 1
    assert sum(new_packs.values()) < whole_gz / 20
    # The deaths file did not change: the new release shares the previous one's bytes (one file, two names).
    deaths = "time_series_covid19_deaths_global.csv"
    assert (folder(second) / deaths).stat().st_ino == (folder(first) / deaths).stat().st_ino
    # The changed value is in the new release's files, in full.
    text = downloaded(second, TIDY).decode()
    assert "2020-03-15,IT,Italy,confirmed,123456," in text


def test_the_latest_files_equal_a_build_from_scratch(imported, django_capture_on_commit_callbacks, tmp_path):
    change(django_capture_on_commit_callbacks, "IT", "2020-03-15", 123_456)
    latest = change(django_capture_on_commit_callbacks, "FR", "2020-03-02", 7, metric="deaths")
    files = recorded(latest)
    for name, sha in files.items():  # what is served is what was recorded
        assert sha256(downloaded(latest, name)) == sha
    call_command("export_dataset", "--format", "tidy", "--output", str(tmp_path / "tidy"), stdout=io.StringIO())
    for name in (TIDY, f"{TIDY}.gz"):
        assert sha256((tmp_path / "tidy" / name).read_bytes()) == files[name]
    for path in write_jhu(tmp_path / "jhu"):  # the JHU files are those jhu.write_jhu writes
        assert sha256(path.read_bytes()) == files[path.name]
    rebuilt = rebuild_release(latest, tmp_path / "all")
    assert {name for name, _, _ in rebuilt} == set(files)
    assert all(now == then for _, now, then in rebuilt)


def test_the_gzip_copy_reads_as_the_csv(imported):
    import gzip

    plain, packed = downloaded(imported, TIDY), downloaded(imported, f"{TIDY}.gz")
    assert gzip.decompress(packed) == plain
    assert len(pd.read_csv(io.BytesIO(packed), compression="gzip")) == Observation.objects.count()


def test_retention_removes_what_it_does_not_keep_and_old_releases_are_rebuilt_byte_for_byte(
    imported, django_capture_on_commit_callbacks, settings, client
):
    settings.EXPORTS_KEEP_LAST, settings.EXPORTS_KEEP_EVERY = 1, 2
    second = change(django_capture_on_commit_callbacks, "IT", "2020-03-15", 1)
    third = change(django_capture_on_commit_callbacks, "IT", "2020-03-16", 2)
    fourth = change(django_capture_on_commit_callbacks, "DE", "2020-03-16", 3)
    # Kept: the latest (4) and every 2nd (2); 1 and 3 lost their files but not their records.
    assert not folder(imported).exists()
    assert not folder(third).exists()
    assert folder(second).is_dir()
    assert folder(fourth).is_dir()
    assert recorded(third)
    assert recorded(imported)
    # An older kept release is still downloadable: its CSV and .gz assembled from the stored segments.
    for name, sha in recorded(second).items():
        response = client.get(reverse("dataset:download_file", args=[second.number, name]))
        assert response.status_code == 200, name
        assert sha256(response.getvalue()) == sha, name
    # A file retention removed says how to rebuild it.
    missing = client.get(reverse("dataset:download_file", args=[third.number, TIDY]))
    assert missing.status_code == 404
    # A release not kept is rebuilt from history, each file with the checksum recorded when first built.
    out = io.StringIO()
    call_command("export_dataset", "--release", str(third.number), stdout=out)
    assert out.getvalue().count("checksum matches") == len(recorded(third))
    for name, sha in recorded(third).items():
        assert sha256((folder(third) / name).read_bytes()) == sha
    first = io.StringIO()
    call_command("export_dataset", "--release", "1", stdout=first)
    assert "DIFFERS" not in first.getvalue()


def test_rebuilding_a_release_that_never_was_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no release number 42"):
        call_command("export_dataset", "--release", "42", stdout=io.StringIO())


def test_the_downloads_page_says_how_older_releases_are_rebuilt(
    imported, django_capture_on_commit_callbacks, settings, client
):
    settings.EXPORTS_KEEP_LAST, settings.EXPORTS_KEEP_EVERY = 1, 0
    change(django_capture_on_commit_callbacks, "IT", "2020-03-15", 1)
    page = client.get(reverse("dataset:downloads")).content.decode()
    assert "export_dataset --release 1" in page


def test_a_changed_value_patches_its_segment_and_the_file_equals_a_build_from_scratch(
    imported, django_capture_on_commit_callbacks, tmp_path, monkeypatch
):
    formatted: list[set[int] | None] = []
    original = segments.iter_segments

    def spy(table, lookups, ids, wanted):
        formatted.append(None if wanted is None else set(wanted))
        return original(table, lookups, ids, wanted)

    source = SourceFactory()
    change(django_capture_on_commit_callbacks, "IT", "2020-03-14", 1, source=source)  # a new source: all written
    monkeypatch.setattr(segments, "iter_segments", spy)
    latest = change(django_capture_on_commit_callbacks, "IT", "2020-03-15", 123_456, source=source)
    # Only a value changed (same rows): no segment was formatted again, the old text was patched.
    assert formatted == [set()]
    assert "2020-03-15,IT,Italy,confirmed,123456," in downloaded(latest, TIDY).decode()
    call_command("export_dataset", "--format", "tidy", "--output", str(tmp_path), stdout=io.StringIO())
    for name in (TIDY, f"{TIDY}.gz"):
        assert sha256((tmp_path / name).read_bytes()) == recorded(latest)[name]
