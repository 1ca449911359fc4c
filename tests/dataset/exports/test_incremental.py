"""A release whose previous release's manifest is usable formats only the rows of its changed groups
(dataset/exports/incremental.py); its CSV and .gz equal a build from scratch byte for byte, after
changed values, a new place and values a revert removed, with groups cut in pieces and manifests
written as deltas; a store written before the pieces is still served and rebuilt as it was."""

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings

from contributions.models import Submission
from dataset.exports import changes, manifests, segments
from dataset.exports.ends import cut, ends_of, with_ends
from dataset.exports.release import rebuild_release
from dataset.exports.segments import sha256_of
from dataset.exports.table import Lookups, as_of_release
from dataset.exports.tidy import write_tidy
from dataset.models import Observation, Release, ReleaseFile
from review import revert
from tests.dataset.jhu_data import early_file, import_jhu
from tests.dataset.release_files import assert_same_as_from_scratch, downloaded, merged
from tests.review.builders import frame_for
from tests.sources.factories import make_source

TIDY = "covid19-open-data.csv"
DATES = pd.date_range("2020-03-01", periods=4).strftime("%Y-%m-%d").tolist()
LATER = pd.date_range("2020-03-05", periods=2).strftime("%Y-%m-%d").tolist()


@pytest.fixture
def subsets(monkeypatch):
    """How many rows each incremental release read to format (the spy of changes.plan: a release written
    whole is not counted)."""
    seen: list[int] = []
    original = changes.plan

    def spy(*args, **kwargs):
        plan = original(*args, **kwargs)
        if plan.dropped is not None:
            seen.append(len(plan.table))
        return plan

    monkeypatch.setattr(changes, "plan", spy)
    return seen


def test_incremental_releases_equal_a_build_from_scratch(
    reference_data, make_user, django_capture_on_commit_callbacks, subsets, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    volunteer = make_user("vol.incremental@example.org")
    source = make_source(country="IT")
    # A new source: the lookups differ from the release before, so this release is written whole.
    base = merged(
        frame_for(["IT_21"], ["confirmed"], DATES, value=lambda i: 10 + i),
        volunteer,
        source,
        django_capture_on_commit_callbacks,
    )
    assert subsets == []
    assert_same_as_from_scratch(base, tmp_path)
    # Changed values, new dates and a place that had no value: only the changed segments' rows.
    frame = frame_for(["IT_21", "IT_25"], ["confirmed"], DATES + LATER, value=lambda i: 1000 + i)
    bad = merged(frame, volunteer, source, django_capture_on_commit_callbacks)
    assert len(subsets) == 1
    assert 0 < subsets[0] < Observation.objects.count() / 5
    assert b"IT_25" in downloaded(bad, TIDY)
    assert_same_as_from_scratch(bad, tmp_path)
    # A revert removes the values it added (IT_25's, the later dates) and restores the others.
    reviewer = make_user("rev.incremental@example.org", role="reviewer", countries=("IT",))
    other = make_user("rev2.incremental@example.org", role="reviewer", countries=("IT",))
    submission = Submission.objects.get(merged_release=bad)
    proposal = revert.propose(submission=submission, actor=reviewer, reason="The ministry corrected these values")
    proposal = revert.confirm(revert=proposal, actor=other, include_changed_later=False)
    with django_capture_on_commit_callbacks(execute=True):
        undone = revert.run(revert_id=proposal.pk)
    assert undone is not None
    assert len(subsets) == 2
    assert b"IT_25" not in downloaded(undone, TIDY)
    assert_same_as_from_scratch(undone, tmp_path)


def test_pieces_and_manifest_deltas_equal_a_build_from_scratch(
    reference_data, make_user, django_capture_on_commit_callbacks, subsets, tmp_path, monkeypatch
):
    """Groups cut in pieces of a few rows (segments.SEGMENT_ROWS), and manifests written as deltas on a
    base, then on a new base once the delta grows (manifests.MIN_DELTA): the same bytes as from scratch,
    and each older kept release still served as it was."""
    monkeypatch.setattr(segments, "SEGMENT_ROWS", 4)
    monkeypatch.setattr(manifests, "MIN_DELTA", 0)
    monkeypatch.setattr(manifests, "DELTA_SHARE", 1_000_000)  # a new base whenever the delta is not empty
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    volunteer = make_user("vol.pieces@example.org")
    source = make_source(country="IT")
    frame = frame_for(["IT_21", "IT_25"], ["confirmed"], DATES, value=lambda i: 10 + i)
    first = merged(frame, volunteer, source, django_capture_on_commit_callbacks)
    root = Path(settings.EXPORTS_ROOT)
    pieces = [entry[0] % segments.BLOCK_FACTOR for entry in manifests.read_manifest(root, first.number)["segments"]]
    assert max(pieces) > 0  # groups of more than 4 rows were cut
    served = {name: downloaded(first, name) for name in (TIDY, f"{TIDY}.gz")}
    monkeypatch.setattr(manifests, "DELTA_SHARE", 1)  # now deltas: a new base only past the base's size
    second = merged(
        frame_for(["IT_21"], ["confirmed"], DATES[:2], value=lambda i: 500 + i),
        volunteer,
        source,
        django_capture_on_commit_callbacks,
    )
    assert subsets  # written from the changed groups
    raw = manifests.read_raw(root, second.number)
    assert raw["base"] != second.number
    assert 0 < len(raw["changed"]) < len(manifests.base_entries(root, raw["base"]))
    assert_same_as_from_scratch(second, tmp_path)
    assert {name: downloaded(first, name) for name in served} == served


def test_a_store_written_before_the_pieces_is_still_served_and_rebuilt(
    reference_data, make_user, django_capture_on_commit_callbacks, tmp_path, monkeypatch
):
    """A manifest of the whole segment list, one segment per date and block (before 2026-12-01): its
    release's CSV is still served, the next release is written in full, and `export_dataset --release N`
    gives the .gz recorded then (one gzip member per date and block)."""
    monkeypatch.setattr(segments, "SEGMENT_ROWS", 4)  # the layouts' .gz differ on these few rows
    with django_capture_on_commit_callbacks(execute=True):
        import_jhu(early_file("confirmed"), extra=())
    old = Release.objects.latest("number")
    root = Path(settings.EXPORTS_ROOT)
    manifest = manifests.read_manifest(root, old.number)
    for key in ("layout", "segment_rows", "base", "packs"):
        manifest.pop(key, None)
    manifests.manifest_path(root, old.number).write_bytes(gzip.compress(json.dumps(manifest).encode()))
    served = downloaded(old, TIDY)
    ends = ends_of(old)
    lookups = with_ends(Lookups.read(), ends)
    legacy = write_tidy(tmp_path / "legacy", table=cut(as_of_release(old, lookups), ends), lookups=lookups, layout=1)
    assert sha256_of(legacy[1]) != old.files.get(name=f"{TIDY}.gz").sha256
    ReleaseFile.objects.filter(release=old, name=f"{TIDY}.gz").update(sha256=sha256_of(legacy[1]))
    volunteer = make_user("vol.legacy@example.org")
    frame = frame_for(["IT_21"], ["confirmed"], DATES, value=lambda i: 10 + i)
    new = merged(frame, volunteer, make_source(country="IT"), django_capture_on_commit_callbacks)
    assert downloaded(old, TIDY) == served
    assert_same_as_from_scratch(new, tmp_path)
    rebuilt = {name: (now, recorded) for name, now, recorded in rebuild_release(old, tmp_path / "old")}
    assert rebuilt[f"{TIDY}.gz"][0] == rebuilt[f"{TIDY}.gz"][1] == sha256_of(legacy[1])
    assert (tmp_path / "old" / TIDY).read_bytes() == served
