"""The usual release path (dataset/exports/changes.py): the release's values are the previous release's
whole snapshot plus the merge's delta, and the follow-up left that snapshot's tidy index, so the release
patches the lines of changed values and formats only the groups where values were added or removed,
without reading every value. Its files are those of a build from scratch, byte for byte: after changed
values, new dates and a new place, a revert, and values after a series' end."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.conf import settings

from contributions.models import Submission
from dataset import snapshots
from dataset.exports import incremental, manifests, segments, tidy_index
from dataset.models import Erratum, Release
from places.models import Location, Metric
from review import revert
from tests.dataset.jhu_data import early_file, import_jhu
from tests.dataset.release_files import assert_same_as_from_scratch, downloaded, merged
from tests.review.builders import frame_for
from tests.sources.factories import make_source

TIDY = "covid19-open-data.csv"
COMPARED = (TIDY, f"{TIDY}.gz", "datapackage.json", "locations.csv", "sources.csv")
DATES = pd.date_range("2020-03-01", periods=6).strftime("%Y-%m-%d").tolist()


@pytest.fixture
def paths(monkeypatch):
    """Which way each release planned its CSV: "delta" (from the index) or "whole" (every key compared)."""
    seen: list[str] = []
    for name, label in (("from_delta", "delta"), ("segment_rows", "whole")):
        original = getattr(incremental, name)

        def spy(*args, _original=original, _label=label, **kwargs):
            seen.append(_label)
            return _original(*args, **kwargs)

        monkeypatch.setattr(incremental, name, spy)
    patch = incremental._patch

    def patch_spy(*args, **kwargs):
        patched, failed = patch(*args, **kwargs)
        seen.append(f"patched {len(patched)}, failed {len(failed)}")
        return patched, failed

    monkeypatch.setattr(incremental, "_patch", patch_spy)
    monkeypatch.setattr(segments, "SEGMENT_ROWS", 4)  # groups cut in pieces: lines are found inside pieces
    monkeypatch.setattr(snapshots, "DELTA_SHARE", 1_000)  # a merge writes a delta, as on a big dataset
    return seen


@pytest.fixture
def release(reference_data, make_user, django_capture_on_commit_callbacks):
    """After JHU's early confirmed file (release 1), a frame merged as one volunteer's submission from an
    Italian source, with the release's export task and its follow-up."""
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    volunteer = make_user("vol.delta@example.org")
    source = make_source(country="IT")
    return lambda frame: merged(frame, volunteer, source, django_capture_on_commit_callbacks)


def segments_written(release: Release) -> int:
    """How many of the release's segments differ from the release before's."""
    root = Path(settings.EXPORTS_ROOT)
    now, before = (
        {entry[0]: entry for entry in manifests.read_manifest(root, number)["segments"]}
        for number in (release.number, release.number - 1)
    )
    return sum(entry != before.get(segment) for segment, entry in now.items())


def test_releases_from_the_index_equal_a_build_from_scratch(
    release, make_user, django_capture_on_commit_callbacks, paths, tmp_path
):
    places = ["IT_21", "IT_25", "FR"]
    first = release(  # a new source: other lookups than the release before, so written whole
        frame_for(places, ["confirmed"], DATES[:4], value=lambda i: 10 + i)
    )
    assert paths == []
    assert tidy_index.load(snapshots.load(first), _lookups(first)) is not None  # left by the follow-up
    assert_same_as_from_scratch(first, tmp_path, COMPARED)

    # Values changed, no row added or removed: the changed lines patched, nothing else read.
    changed = release(frame_for(["IT_21", "FR"], ["confirmed"], DATES[1:3], value=lambda i: 7_000 + i))
    assert paths == ["delta", "patched 4, failed 0"]
    assert 0 < segments_written(changed) <= 4  # the pieces holding the four changed values
    assert_same_as_from_scratch(changed, tmp_path, COMPARED)

    # New dates and a place with no value yet: their groups formatted whole.
    grown = release(frame_for(["IT_21", "IT_32"], ["confirmed"], DATES[2:], value=lambda i: 90 + i))
    assert paths[2] == "delta"
    assert b"IT_32" in downloaded(grown, TIDY)
    assert_same_as_from_scratch(grown, tmp_path, COMPARED)

    # A revert removes the values the release added and restores those it changed.
    reviewer = make_user("rev.delta@example.org", role="reviewer", countries=("IT",))
    other = make_user("rev2.delta@example.org", role="reviewer", countries=("IT",))
    proposal = revert.propose(
        submission=Submission.objects.get(merged_release=grown), actor=reviewer, reason="Corrected by the ministry"
    )
    proposal = revert.confirm(revert=proposal, actor=other, include_changed_later=False)
    with django_capture_on_commit_callbacks(execute=True):
        undone = revert.run(revert_id=proposal.pk)
    assert undone is not None
    assert paths[4] == "delta"
    assert "whole" not in paths
    assert b"IT_32" not in downloaded(undone, TIDY)
    assert_same_as_from_scratch(undone, tmp_path, COMPARED)


def test_values_after_a_series_end_stay_out(release, paths, tmp_path):
    """Changed and new values after a series' end are not in the CSV (ends.py), here as from scratch."""
    release(frame_for(["IT_21"], ["confirmed"], DATES[:3], value=lambda i: 5 + i))
    Erratum.objects.create(
        location=Location.objects.get(key="IT_21"),
        metric=Metric.objects.get(code="confirmed"),
        kind=Erratum.Kind.NO_LONGER_REPORTED,
        start=DATES[2],
        what_is_wrong="No longer reported.",
    )
    marked = release(  # the mark is new: written whole, and the index is built with it
        frame_for(["IT_25"], ["confirmed"], DATES[:2], value=lambda i: 50 + i)
    )
    assert "delta" not in paths
    assert_same_as_from_scratch(marked, tmp_path, COMPARED)
    after = release(  # a value before the end changed, one after it changed, one after it added
        frame_for(["IT_21"], ["confirmed"], DATES[1:4], value=lambda i: 800 + i)
    )
    assert paths[-2:] == ["delta", "patched 1, failed 0"]
    text = downloaded(after, TIDY).decode()
    assert f"{DATES[1]},IT_21," in text
    assert f"{DATES[2]},IT_21," not in text
    assert f"{DATES[3]},IT_21," not in text
    assert_same_as_from_scratch(after, tmp_path, COMPARED)


def _lookups(release: Release):
    from dataset.exports.ends import ends_of, with_ends
    from dataset.exports.table import Lookups

    return with_ends(Lookups.read(), ends_of(release, at=release.exports_built_at))


def test_without_the_index_every_key_is_compared(release, paths, tmp_path):
    """A snapshot without its index (the follow-up has not run yet, or a store from before it): the two
    releases' whole snapshots are compared instead, with the same files."""
    first = release(frame_for(["IT_21", "FR"], ["confirmed"], DATES[:4]))
    folder = tidy_index.folder(snapshots.load(first), _lookups(first))
    shutil.rmtree(folder)
    second = release(frame_for(["IT_21", "IT_25"], ["confirmed"], DATES[2:], value=lambda i: 60 + i))
    assert paths[0] == "whole"
    assert "delta" not in paths
    assert_same_as_from_scratch(second, tmp_path, COMPARED)


def test_a_line_not_where_the_index_says_is_written_from_its_group(release, paths, tmp_path, monkeypatch):
    """Each patched line is checked to be its row's (date, place, metric): one that is not (an index that
    does not match the text) has its whole group read and formatted instead, never a wrong line."""
    release(frame_for(["IT_21", "FR"], ["confirmed"], DATES[:4]))
    locate = incremental._locate

    def one_line_off(*args):
        located = locate(*args)
        located[:, 1] = (located[:, 1] + 1) % np.maximum(located[:, 2], 1)  # the next line of the piece
        return located

    monkeypatch.setattr(incremental, "_locate", one_line_off)
    changed = release(frame_for(["IT_21", "FR"], ["confirmed"], DATES[1:3], value=lambda i: 4_000 + i))
    patched, failed = (int(part.split()[-1]) for part in paths[-1].split(","))
    assert patched == 0
    assert failed > 0
    assert_same_as_from_scratch(changed, tmp_path, COMPARED)
