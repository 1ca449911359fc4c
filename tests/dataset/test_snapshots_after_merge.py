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


@pytest.fixture
def deltas_always(monkeypatch):
    """Merges write deltas whatever their size (the test dataset is far smaller than DELTA_SHARE needs)."""
    monkeypatch.setattr(snapshots, "DELTA_SHARE", 1000.0)


def assert_snapshot_is_the_database(values):
    for got, want in zip((values.keys, values.values, values.source_ids), database_values(), strict=True):
        assert np.array_equal(np.asarray(got), want)


def assert_finds_the_database(values):
    """What the diff reads (base and delta as kept) agrees with the database, removed keys included."""
    keys, expected, sources = database_values()
    asked = np.union1d(keys, np.asarray(values.base[0]))  # the base's keys: some removed since
    known, found, found_sources = values.find(asked)
    assert np.array_equal(asked[known], keys)
    assert np.array_equal(found[known], expected)
    assert np.array_equal(found_sources[known], sources)


def test_a_merge_writes_what_it_changed_and_later_merges_build_on_it(first_release, make_user, deltas_always):
    source = make_source(name="Regione")
    for n, dates in enumerate([DATES[:3], [*DATES[4:], "2020-03-07"], DATES[1:5]]):
        release = merged(
            make_user, frame_for(["IT_25", "IT_45"], ["deaths"], dates, value=lambda i, n=n: 50 * n + i), source
        )
        saved = snapshots.load(release)
        assert saved is not None
        assert saved.delta is not None
        assert saved.base_directory == snapshots._directory(first_release)
        assert_finds_the_database(saved)
        assert_snapshot_is_the_database(saved)
    assert_snapshot_is_the_database(snapshots.build(release))  # as a full read of the database gives them


def test_a_revert_removes_its_values_from_the_delta(first_release, make_user, deltas_always):
    from review import revert

    source = make_source(name="Regione")
    merged(make_user, frame_for(["IT_25"], ["confirmed"], DATES[:2], value=lambda i: 70 + i), source)
    bad = merged(make_user, frame_for(["IT_25", "IT_45"], ["confirmed"], DATES, value=lambda i: 900 + i), source)
    snapshots.compact(bad)  # the revert then removes values of the base
    reviewers = [make_user(f"reviewer-{n}@example.org", role="reviewer", countries=("IT",)) for n in (1, 2)]
    submission = Submission.objects.get(merged_release=bad)
    proposal = revert.propose(submission=submission, actor=reviewers[0], reason="The ministry withdrew these")
    release = revert.run(revert_id=revert.confirm(revert=proposal, actor=reviewers[1]).pk)

    saved = snapshots.load(release)
    assert saved is not None
    assert saved.delta is not None
    assert len(saved.delta.removed)
    assert_finds_the_database(saved)
    assert_snapshot_is_the_database(saved)


def test_the_tasks_after_a_release_write_it_whole_and_the_next_merge_builds_on_that(
    first_release, make_user, deltas_always
):
    source = make_source(name="Regione")
    release = merged(make_user, frame_for(["IT_25"], ["deaths"], DATES, value=lambda i: 3 + i), source)
    snapshots.compact(release)
    whole = snapshots.load(release)
    assert whole is not None
    assert whole.delta is None
    assert_snapshot_is_the_database(whole)

    later = merged(make_user, frame_for(["IT_45"], ["deaths"], DATES[:2], value=lambda i: 8), source)
    saved = snapshots.load(later)
    assert saved is not None
    assert saved.base_directory == snapshots._directory(release)
    assert len(saved.delta.keys) == 2  # only the later merge's values
    assert_snapshot_is_the_database(saved)
    assert not snapshots._directory(first_release).exists()  # no kept snapshot needs it any more


def test_a_merge_whose_delta_outgrows_the_base_writes_the_snapshot_whole(first_release, make_user, monkeypatch):
    monkeypatch.setattr(snapshots, "DELTA_SHARE", 0.1)
    release = merged(make_user, frame_for(REGIONS, ["confirmed"], DATES, value=lambda i: 5 + i), make_source(name="B"))
    saved = snapshots.load(release)
    assert saved is not None
    assert saved.delta is None
    assert_snapshot_is_the_database(saved)


def test_a_merge_that_fails_after_writing_its_delta_leaves_the_values_as_they_were(
    first_release, make_user, deltas_always, monkeypatch
):
    from review.models import ReviewAction

    before = database_values()
    create = ReviewAction.objects.create

    def crash(**kwargs):
        raise RuntimeError("the worker died")

    monkeypatch.setattr(ReviewAction.objects, "create", crash)
    source = make_source(name="Regione")
    with pytest.raises(merge.MergeFailed):
        merged(make_user, frame_for(["IT_25"], ["deaths"], DATES, value=lambda i: 600 + i), source)
    assert any(path.name.startswith("d2-") for path in snapshots.root().iterdir())  # written, never committed

    current = snapshots.current()
    assert current.release == first_release.number
    for got, want in zip((current.keys, current.values, current.source_ids), before, strict=True):
        assert np.array_equal(np.asarray(got), want)

    monkeypatch.setattr(ReviewAction.objects, "create", create)
    release = merged(make_user, frame_for(["IT_45"], ["deaths"], DATES[:2], value=lambda i: 9), source)
    assert release.number == 2  # the failed merge's number again, another release
    assert_snapshot_is_the_database(snapshots.current())


def test_a_delta_whose_base_is_gone_is_read_again_from_the_database(first_release, make_user, deltas_always):
    release = merged(make_user, frame_for(["IT_25"], ["deaths"], DATES, value=lambda i: 4), make_source(name="B"))
    shutil.rmtree(snapshots._directory(first_release))

    assert snapshots.load(release) is None
    current = snapshots.current()
    assert current.release == release.number
    assert current.delta is None
    assert_snapshot_is_the_database(current)


def test_a_reader_keeps_its_release_values_while_merges_and_compactions_replace_them(
    first_release, make_user, deltas_always
):
    source = make_source(name="Regione")
    merged(make_user, frame_for(["IT_25"], ["deaths"], DATES, value=lambda i: 1 + i), source)
    reading = snapshots.current()  # a diff in another process, mid-way
    expected = database_values()
    asked = expected[0]

    for n in range(3):
        release = merged(
            make_user, frame_for(["IT_25", "IT_45"], ["deaths"], DATES, value=lambda i, n=n: 100 * n), source
        )
        snapshots.compact(release)

    known, values, sources = reading.find(asked)
    assert known.all()
    assert np.array_equal(values, expected[1])
    assert np.array_equal(sources, expected[2])
    assert_snapshot_is_the_database(snapshots.current())


def test_a_release_that_wrote_most_values_is_read_in_one_pass(first_release, monkeypatch):
    """An import that rewrites most of the dataset is read back with the one bulk read of every value,
    not by fetching each row it wrote (at 10M values those rows took 3 GB as Python tuples)."""
    frame = frame_for(REGIONS, ["confirmed", "deaths"], DATES, value=lambda i: 500 + i)
    release = upsert_observations(frame, source=make_source(name="Import"), description="import").release

    def no_row_fetch(_release):
        raise AssertionError("the release's rows were fetched one by one")

    monkeypatch.setattr(snapshots, "_read_changed", no_row_fetch)
    values = snapshots.advance(release)
    assert values.delta is None
    for got, want in zip((values.keys, values.values, values.source_ids), database_values(), strict=True):
        assert np.array_equal(np.asarray(got), want)
