"""The merge writes the new release's value snapshot itself, so no validation reads the database after it."""

import shutil

import numpy as np
import pandas as pd
import pytest

from contributions.models import Submission
from dataset import snapshots
from dataset.upsert import upsert_observations
from review import merge
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

REGIONS = ["IT_21", "IT_25", "IT_34"]
DATES = pd.date_range("2020-03-01", periods=6).strftime("%Y-%m-%d").tolist()


@pytest.fixture
def first_release(reference_data):
    """Release 1, its snapshot written (as the export task does after an import)."""
    result = upsert_observations(
        frame_for(REGIONS, ["confirmed", "deaths"], DATES, value=lambda i: i), source=make_source(), description="first"
    )
    snapshots.advance(result.release)
    return result.release


def merged(make_user, frame, source):
    submission = make_submission(
        submitter=make_user("vol@example.org"), source=source, frame=frame, status=Submission.Status.APPROVED
    )
    return merge.run(submission_id=submission.pk)


def database_values():
    keys, values, source_ids = snapshots._read_all()
    order = np.argsort(keys)
    return keys[order], values[order], source_ids[order]


def test_the_snapshot_after_a_merge_equals_the_database(first_release, make_user, monkeypatch):
    # Changed values, new dates and a new region, from another source.
    frame = frame_for(
        ["IT_25", "IT_45"], ["confirmed"], [*DATES[3:], "2020-03-07", "2020-03-08"], value=lambda i: 1000 + i
    )
    release = merged(make_user, frame, make_source(name="Regione"))
    expected = database_values()

    def no_database_read():
        raise AssertionError("a validation read the values from the database")

    monkeypatch.setattr(snapshots, "_read_all", no_database_read)
    current = snapshots.current()  # what the next validation's diff reads
    assert current.release == release.number
    for got, want in zip((current.keys, current.values, current.source_ids), expected, strict=True):
        assert np.array_equal(np.asarray(got), want)


def test_without_the_previous_snapshot_the_merge_reads_every_value(first_release, make_user):
    for path in snapshots.root().glob("r*"):
        shutil.rmtree(path)
    release = merged(
        make_user, frame_for(["IT_21"], ["confirmed"], DATES[:2], value=lambda i: 7), make_source(name="B")
    )
    saved = snapshots.load(release)
    assert saved is not None
    assert np.array_equal(np.asarray(saved.values), database_values()[1])
