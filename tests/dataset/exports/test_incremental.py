"""A release whose previous release's manifest is usable formats only the rows of its changed segments
(dataset/exports/incremental.py); its CSV and .gz equal a build from scratch byte for byte, after
changed values, a new place and values a revert removed."""

import pandas as pd
import pytest

from contributions.models import Submission
from dataset.exports import incremental
from dataset.exports.release import rebuild_release
from dataset.models import Observation, Release
from review import merge, revert
from tests.dataset.jhu_data import early_file, import_jhu
from tests.dataset.release_files import downloaded
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

TIDY = "covid19-open-data.csv"
DATES = pd.date_range("2020-03-01", periods=4).strftime("%Y-%m-%d").tolist()
LATER = pd.date_range("2020-03-05", periods=2).strftime("%Y-%m-%d").tolist()


@pytest.fixture
def subsets(monkeypatch):
    """How many rows each incremental release formatted (the spy of incremental.segment_rows)."""
    seen: list[int] = []
    original = incremental.segment_rows

    def spy(*args, **kwargs):
        table = original(*args, **kwargs)
        seen.append(len(table))
        return table

    monkeypatch.setattr(incremental, "segment_rows", spy)
    return seen


def merged(frame, submitter, source, capture) -> Release:
    submission = make_submission(submitter=submitter, source=source, frame=frame, status=Submission.Status.APPROVED)
    with capture(execute=True):  # the release's export task, as after any merge
        release = merge.run(submission_id=submission.pk)
    assert release is not None
    return release


def assert_same_as_from_scratch(release: Release, tmp_path) -> None:
    folder = tmp_path / str(release.number)
    rebuilt = {name: now for name, now, _ in rebuild_release(release, folder)}
    for name in (TIDY, f"{TIDY}.gz"):
        assert downloaded(release, name) == (folder / name).read_bytes(), name
        assert release.files.get(name=name).sha256 == rebuilt[name]  # the follow-up's checksum


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
