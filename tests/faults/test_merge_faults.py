"""Merges under faults, with a real worker, Redis and PostgreSQL: kill -9, duplicates, races, a dropped connection.

The merges are large (300k values) so that the worker is caught in the middle of one: the tests
wait until the merge holds the dataset's advisory lock, then strike. No test-only hooks.
"""

import os
import random
import threading
import time

import pandas as pd
import pytest
from django.db import connection, connections
from django.utils import timezone

from common.locking import DATASET_WRITERS
from contributions.models import Submission
from dataset.models import ObservationHistory, Release
from dataset.upsert import upsert_observations
from places.models import Location
from review import merge, services
from review.tasks import merge_submission
from tests.review.builders import dataset_rows, frame_for, make_submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.usefixtures("transactional_db")

# 600 locations × 500 dates: 300k values in the dataset, and each merge writes 300k (150k changed, 150k
# new), a few seconds of work, so that a strike up to a second after the merge takes its lock lands
# in the middle of it.
N_LOCATIONS = 600
N_DATES = 500
KILL_ROUNDS = int(os.environ.get("FAULT_KILL_ROUNDS", 3))  # more for a deeper run


@pytest.fixture
def worker(celery_worker_process, settings):
    """The session's worker, with its media folder shared with this test and merges swept at once."""
    settings.MEDIA_ROOT = celery_worker_process.env["MEDIA_ROOT"]
    settings.MERGE_SWEEP_AFTER_MINUTES = 0
    return celery_worker_process


@pytest.fixture
def big(reference_data, make_user):
    """A 300k-value dataset from one source and the people to change it."""
    keys = list(Location.objects.order_by("pk").values_list("key", flat=True)[:N_LOCATIONS])
    dates = pd.date_range("2020-01-22", periods=N_DATES).strftime("%Y-%m-%d").tolist()
    source = make_source(priority=100)
    base = frame_for(keys, ["confirmed"], dates, value=lambda i: i)
    upsert_observations(base, source=source, description="base", schedule_exports=False)
    volunteer = make_user("vol@example.org")
    return {"keys": keys, "dates": dates, "source": source, "volunteer": volunteer}


def approved_submission(big, *, shift: float) -> tuple[Submission, pd.DataFrame]:
    """Half the values changed by `shift`, half on new dates: a merge that updates and inserts."""
    half = N_DATES // 2
    new_dates = pd.date_range(big["dates"][-1], periods=half + 1)[1:].strftime("%Y-%m-%d").tolist()
    dates = big["dates"][half:] + new_dates
    frame = frame_for(big["keys"], ["confirmed"], dates, value=lambda i: i + shift)
    submission = make_submission(
        submitter=big["volunteer"],
        source=big["source"],
        frame=frame,
        status=Submission.Status.APPROVED,
        approved_at=timezone.now(),
    )
    return submission, frame


def fingerprint() -> tuple:
    """Everything a merge could touch, summarised: values, provenance, history and releases."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(value), SUM(source_id), SUM(COALESCE(submission_id, 0)), SUM(release_id) "
            "FROM dataset_observation"
        )
        observations = cursor.fetchone()
    return observations, ObservationHistory.objects.count(), Release.objects.count()


def expected_after(before: pd.DataFrame, frame: pd.DataFrame, source_id: int) -> pd.DataFrame:
    """The dataset a clean single merge of `frame` into `before` gives."""
    incoming = frame[["location_id", "metric_id", "date", "value"]].copy()
    incoming["date"] = incoming["date"].dt.date
    incoming["source_id"] = source_id
    kept = before.merge(incoming[["location_id", "metric_id", "date"]], how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    result = pd.concat([kept, incoming], ignore_index=True)
    return result.sort_values(["location_id", "metric_id", "date"]).reset_index(drop=True)


def merge_lock_holder(timeout: float = 60) -> int:
    """Wait until a backend of this database holds the dataset's advisory lock (a merge is writing); its pid.

    Advisory locks are visible across databases: only this test database's backends are candidates,
    so other people's work on the same server is never touched.
    """
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = %s AND pid <> "
                "pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [DATASET_WRITERS],
            )
            row = cursor.fetchone()
            if row:
                return row[0]
            time.sleep(0.02)
    raise AssertionError("no merge started within the timeout")


def wait_for_status(submission, statuses, timeout=180) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission.refresh_from_db()
        if submission.status in statuses:
            return submission
        time.sleep(0.2)
    raise AssertionError(f"submission stayed {submission.status} (waited for {statuses})")


def assert_merged_once(submission, frame, before):
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED
    assert Release.objects.filter(submissions=submission).count() == 1
    release = submission.merged_release
    assert release.values_added + release.values_changed + release.values_unchanged == len(frame)
    changed = ObservationHistory.objects.filter(submission=submission).count()
    assert changed == release.values_changed
    expected = expected_after(before, frame, submission.source_id)
    pd.testing.assert_frame_equal(dataset_rows(), expected, check_dtype=False)


def test_worker_killed_mid_merge_leaves_the_dataset_unchanged_and_the_merge_completes_once(worker, big):
    partial_merges = lost_approvals = 0
    for round_number in range(1, KILL_ROUNDS + 1):
        submission, frame = approved_submission(big, shift=round_number * 0.5)
        before_rows, before = dataset_rows(), fingerprint()
        merge_submission.delay(submission.pk)
        merge_lock_holder()
        time.sleep(random.uniform(0.05, 1.0))  # strike at a different point of the merge each round
        worker.kill()
        seen = fingerprint()
        submission.refresh_from_db()
        assert submission.status == Submission.Status.APPROVED, "the merge ended before the kill: make it bigger"
        if seen != before:
            partial_merges += 1
        worker.start()
        assert merge.sweep() == [submission.pk]  # the killed delivery is also redelivered later: harmless
        wait_for_status(submission, {Submission.Status.MERGED, Submission.Status.MERGE_FAILED})
        if submission.status != Submission.Status.MERGED:
            lost_approvals += 1
        assert_merged_once(submission, frame, before_rows)
        print(f"round {round_number}: killed mid-merge, dataset unchanged, merged once after restart")
    assert (partial_merges, lost_approvals) == (0, 0)


def test_two_reviewers_approving_at_once_and_a_duplicated_task_give_one_merge(worker, big, make_user):
    # The file holds JHU's values for every country: only reviewers of all countries may approve it.
    first = make_user("rev1@example.org", role="reviewer", countries=())
    second = make_user("rev2@example.org", role="reviewer", countries=())
    submission, frame = approved_submission(big, shift=0.25)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.AWAITING_REVIEW, approved_at=None)
    before_rows = dataset_rows()
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(reviewer):
        try:
            barrier.wait()
            services.approve(submission=Submission.objects.get(pk=submission.pk), reviewer=reviewer)
            outcomes.append("approved")
        except services.Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "conflict"]
    duplicates = [merge_submission.apply_async((submission.pk,), ignore_result=False) for _ in range(2)]
    results = [d.get(timeout=180) for d in duplicates]
    wait_for_status(submission, {Submission.Status.MERGED})
    assert results.count(None) >= 1
    assert_merged_once(submission, frame, before_rows)


def test_database_connection_dropped_mid_merge_is_retried_to_success(worker, big):
    for round_number in range(1, KILL_ROUNDS + 1):
        submission, frame = approved_submission(big, shift=round_number + 0.75)
        before_rows, before = dataset_rows(), fingerprint()
        merge_submission.delay(submission.pk)
        pid = merge_lock_holder()
        time.sleep(random.uniform(0.05, 1.5))  # during the COPY, a statement or the commit
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        seen = fingerprint()
        submission.refresh_from_db()
        if seen != before:  # only a committed merge may show, and then it shows whole
            assert submission.status == Submission.Status.MERGED
        wait_for_status(submission, {Submission.Status.MERGED, Submission.Status.MERGE_FAILED})
        assert submission.merge_error == ""
        assert_merged_once(submission, frame, before_rows)
        print(f"round {round_number}: connection dropped mid-merge, nothing partial, retried to success")
