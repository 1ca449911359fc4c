"""Reverting a merged submission: four eyes, exact prior values back, later changes listed and chosen."""

import pandas as pd
import pytest

from contributions.models import Submission
from dataset import snapshots
from dataset.models import Observation, ObservationHistory, Release
from dataset.vintages import VALUE, as_of
from review import merge, revert
from review.models import Revert, ReviewAction
from tests.review.builders import dataset_rows, frame_for, make_submission
from tests.sources.factories import make_source

REGIONS = ["IT_21", "IT_25"]
DATES = pd.date_range("2020-03-01", periods=4).strftime("%Y-%m-%d").tolist()
LATER_DATES = pd.date_range("2020-03-05", periods=2).strftime("%Y-%m-%d").tolist()

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(make_user):
    return make_user("vol@example.org")


@pytest.fixture
def source(reference_data):
    return make_source(country="IT")


def merged(volunteer, source, frame) -> Submission:
    submission = make_submission(submitter=volunteer, source=source, frame=frame, status=Submission.Status.APPROVED)
    merge.run(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def values() -> dict[tuple, tuple[float, int]]:
    rows = dataset_rows()
    return {(r.location_id, r.metric_id, str(r.date)): (r.value, r.source_id) for r in rows.itertuples(index=False)}


def confirmed(submission, proposer, confirmer, *, include=False) -> Revert:
    proposal = revert.propose(submission=submission, actor=proposer, reason="The ministry corrected these values")
    return revert.confirm(revert=proposal, actor=confirmer, include_changed_later=include)


@pytest.fixture
def history(volunteer, source):
    """Three merges: a base, a bad one (changes the base and adds dates), and a later one that
    changes one of the bad values."""
    base = merged(volunteer, source, frame_for(REGIONS, ["confirmed"], DATES, value=lambda i: 10 + i))
    before = values()
    bad = merged(volunteer, source, frame_for(REGIONS, ["confirmed"], DATES + LATER_DATES, value=lambda i: 1000 + i))
    later_frame = frame_for(["IT_21"], ["confirmed"], DATES[:1], value=lambda i: 5.5)
    later = merged(volunteer, source, later_frame)
    return base, bad, later, before


def test_a_revert_restores_the_exact_prior_values_and_removes_added_ones(history, reviewer, other_reviewer):
    _, bad, _, before = history
    proposal = confirmed(bad, reviewer, other_reviewer)
    release = revert.run(revert_id=proposal.pk)
    assert release is not None
    now = values()
    it21 = dataset_rows()["location_id"].min()
    changed_later = [key for key in before if key[0] == it21 and key[2] == DATES[0]]
    assert len(changed_later) == 1
    # Every value the bad merge replaced is back, with its source, except the one changed later.
    for key, old in before.items():
        assert now[key] == ((5.5, old[1]) if key in changed_later else old)
    # The dates it added are gone.
    assert len(now) == len(before)
    proposal.refresh_from_db()
    assert proposal.status == Revert.Status.DONE
    assert (proposal.values_restored, proposal.values_removed, proposal.values_skipped) == (7, 4, 1)
    assert release.number == Release.objects.order_by("-number").values_list("number", flat=True)[0]
    assert "Revert of submission" in release.description


def test_a_revert_can_include_values_changed_later(history, reviewer, other_reviewer):
    _, bad, _, before = history
    proposal = revert.propose(submission=bad, actor=reviewer, reason="wrong")
    assert proposal.changed_later_count == 1
    assert proposal.changed_later[0]["current"] == 5.5
    assert proposal.changed_later[0]["before"] == 10.0
    revert.confirm(revert=proposal, actor=other_reviewer, include_changed_later=True)
    revert.run(revert_id=proposal.pk)
    assert values() == before


def test_history_records_restored_and_removed_values(history, reviewer, other_reviewer):
    _, bad, _, _ = history
    release = revert.run(revert_id=confirmed(bad, reviewer, other_reviewer).pk)
    rows = ObservationHistory.objects.filter(release=release)
    assert rows.count() == 11
    removed = rows.filter(new_value__isnull=True)
    assert removed.count() == 4
    assert all(row.old_value >= 1000 for row in removed)
    restored = rows.filter(new_value__isnull=False)
    assert sorted(row.new_value or 0 for row in restored) == sorted([11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0])


def test_the_values_of_releases_before_the_revert_stay_citable(history, reviewer, other_reviewer):
    _, bad, _, _ = history
    revert.run(revert_id=confirmed(bad, reviewer, other_reviewer).pk)
    then = as_of(Observation.objects.all(), bad.merged_release).values_list(VALUE, flat=True)
    # The restored values read as the bad merge published them (removed ones have no row left).
    assert sorted(then) == [1000.0, 1001.0, 1002.0, 1003.0, 1006.0, 1007.0, 1008.0, 1009.0]


def test_the_snapshot_matches_the_dataset_after_a_revert(history, reviewer, other_reviewer):
    _, bad, _, _ = history
    release = revert.run(revert_id=confirmed(bad, reviewer, other_reviewer).pk)
    assert release is not None
    snapshot = snapshots.load(release)
    assert snapshot is not None
    rebuilt = snapshots.build(release)
    assert snapshot.keys.tolist() == rebuilt.keys.tolist()
    assert snapshot.values.tolist() == rebuilt.values.tolist()
    assert snapshot.source_ids.tolist() == rebuilt.source_ids.tolist()


def test_reverting_twice_is_a_no_op(history, reviewer, other_reviewer):
    _, bad, _, _ = history
    proposal = confirmed(bad, reviewer, other_reviewer)
    revert.run(revert_id=proposal.pk)
    after, releases = values(), Release.objects.count()
    assert revert.run(revert_id=proposal.pk) is None
    with pytest.raises(revert.RevertRefused):
        revert.propose(submission=bad, actor=reviewer, reason="again")
    assert values() == after
    assert Release.objects.count() == releases


def test_the_proposer_cannot_confirm(history, reviewer):
    _, bad, _, _ = history
    proposal = revert.propose(submission=bad, actor=reviewer, reason="wrong")
    with pytest.raises(revert.RevertRefused):
        revert.confirm(revert=proposal, actor=reviewer)
    proposal.refresh_from_db()
    assert proposal.status == Revert.Status.PROPOSED


def test_reviewers_of_other_countries_and_volunteers_cannot_revert(history, german_reviewer, volunteer):
    _, bad, _, _ = history
    for user in (german_reviewer, volunteer):
        with pytest.raises(revert.RevertRefused):
            revert.propose(submission=bad, actor=user, reason="wrong")
    assert not Revert.objects.exists()


def test_staff_can_confirm_a_reviewers_proposal(history, reviewer, staff):
    _, bad, _, before = history
    release = revert.run(revert_id=confirmed(bad, reviewer, staff, include=True).pk)
    assert release is not None
    assert values() == before


def test_the_audit_log_records_proposal_confirmation_and_revert(history, reviewer, other_reviewer):
    _, bad, _, _ = history
    revert.run(revert_id=confirmed(bad, reviewer, other_reviewer).pk)
    actions = list(bad.actions.values_list("action", "actor_id"))
    assert (ReviewAction.Action.PROPOSE_REVERT, reviewer.pk) in actions
    assert (ReviewAction.Action.CONFIRM_REVERT, other_reviewer.pk) in actions
    assert (ReviewAction.Action.REVERT, None) in actions


def test_a_cancelled_proposal_lets_another_be_made(history, reviewer, other_reviewer):
    _, bad, _, _ = history
    proposal = revert.propose(submission=bad, actor=reviewer, reason="wrong")
    assert revert.cancel(revert=proposal, actor=reviewer)
    assert revert.propose(submission=bad, actor=other_reviewer, reason="really wrong").status == Revert.Status.PROPOSED


def test_the_task_runs_the_confirmed_revert_after_commit(
    history, reviewer, other_reviewer, django_capture_on_commit_callbacks
):
    _, bad, _, _ = history
    with django_capture_on_commit_callbacks(execute=True):
        proposal = confirmed(bad, reviewer, other_reviewer)
    proposal.refresh_from_db()
    assert proposal.status == Revert.Status.DONE
    assert proposal.release is not None


def test_reverting_a_merge_that_changed_nothing_makes_no_release(volunteer, source, reviewer, other_reviewer):
    frame = frame_for(REGIONS, ["deaths"], DATES, value=lambda i: 3)
    merged(volunteer, source, frame)
    same = merged(volunteer, source, frame)  # only confirms the values: a release with nothing written
    before, releases = values(), Release.objects.count()
    proposal = confirmed(same, reviewer, other_reviewer)
    assert revert.run(revert_id=proposal.pk) is None
    proposal.refresh_from_db()
    assert proposal.status == Revert.Status.DONE
    assert values() == before
    assert Release.objects.count() == releases
