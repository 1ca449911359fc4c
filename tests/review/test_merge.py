"""The merge of an approved submission: whole, once, with history, priority and a release."""

import pandas as pd
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from contributions.models import Submission
from dataset.models import Observation, ObservationHistory, Release
from dataset.upsert import upsert_observations
from review import merge
from review.models import ReviewAction
from review.tasks import merge_submission, sweep_stuck_merges
from sources.models import Source, SourceRecipe
from tests.review.builders import dataset_rows, frame_for, make_submission
from tests.sources.factories import make_source

REGIONS = ["IT_21", "IT_25", "IT_34", "IT_45"]
DATES = pd.date_range("2020-03-01", periods=10).strftime("%Y-%m-%d").tolist()

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(make_user):
    return make_user("vol@example.org")


def approved(volunteer, source, frame, **fields):
    return make_submission(submitter=volunteer, source=source, frame=frame, status=Submission.Status.APPROVED, **fields)


def test_merge_adds_new_values_and_marks_the_submission_merged(volunteer):
    source = make_source()
    frame = frame_for(REGIONS, ["confirmed"], DATES, value=lambda i: i * 10)
    submission = approved(volunteer, source, frame)
    release = merge.run(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED
    assert submission.merged_release == release
    assert release.values_added == len(frame)
    assert list(release.submissions.all()) == [submission]
    rows = dataset_rows()
    assert sorted(rows["value"].tolist()) == sorted(frame["value"].tolist())
    assert set(rows["source_id"]) == {source.pk}


def test_merging_twice_changes_nothing_the_second_time(volunteer):
    submission = approved(volunteer, make_source(), frame_for(REGIONS, ["deaths"], DATES))
    merge.run(submission_id=submission.pk)
    before = dataset_rows()
    releases = Release.objects.count()
    assert merge.run(submission_id=submission.pk) is None
    merge_submission.delay(submission.pk)
    pd.testing.assert_frame_equal(dataset_rows(), before)
    assert Release.objects.count() == releases


def test_changed_values_are_written_to_history_with_the_submission(volunteer):
    source = make_source()
    first = approved(volunteer, source, frame_for(REGIONS, ["confirmed"], DATES, value=lambda i: i))
    merge.run(submission_id=first.pk)
    second_frame = frame_for(REGIONS, ["confirmed"], DATES, value=lambda i: i + (100 if i % 2 else 0))
    second = approved(volunteer, source, second_frame)
    release = merge.run(submission_id=second.pk)
    assert release.values_changed == len(second_frame) // 2
    assert release.values_unchanged == len(second_frame) - len(second_frame) // 2
    history = ObservationHistory.objects.filter(submission=second)
    assert history.count() == len(second_frame) // 2
    assert all(h.new_value - h.old_value == 100 for h in history)


def test_lower_priority_source_does_not_overwrite_without_override(volunteer):
    official = make_source(priority=100)
    aggregator = make_source(priority=10, institution_type=Source.InstitutionType.AGGREGATOR)
    merge.run(submission_id=approved(volunteer, official, frame_for(REGIONS, ["icu"], DATES, value=lambda i: 1)).pk)
    lower = approved(volunteer, aggregator, frame_for(REGIONS, ["icu"], DATES, value=lambda i: 2))
    release = merge.run(submission_id=lower.pk)
    assert release.values_skipped == len(REGIONS) * len(DATES)
    assert set(dataset_rows()["value"]) == {1.0}
    lower.refresh_from_db()
    assert lower.status == Submission.Status.MERGED


def test_recorded_override_lets_a_lower_priority_source_win(volunteer):
    official = make_source(priority=100)
    aggregator = make_source(priority=10, institution_type=Source.InstitutionType.AGGREGATOR)
    merge.run(submission_id=approved(volunteer, official, frame_for(REGIONS, ["icu"], DATES, value=lambda i: 1)).pk)
    lower_frame = frame_for(REGIONS, ["icu"], DATES, value=lambda i: 2)
    lower = approved(volunteer, aggregator, lower_frame, override_priority=True)
    release = merge.run(submission_id=lower.pk)
    assert release.values_changed == len(REGIONS) * len(DATES)
    assert set(dataset_rows()["value"]) == {2.0}


def test_a_broken_submission_leaves_the_dataset_as_before_and_shows_the_error(volunteer):
    source = make_source()
    merge.run(submission_id=approved(volunteer, source, frame_for(REGIONS, ["tests"], DATES)).pk)
    before, releases = dataset_rows(), Release.objects.count()
    bad_frame = frame_for(REGIONS, ["tests"], DATES, value=lambda i: 5)
    bad = approved(volunteer, source, bad_frame)
    default_storage.delete(bad.normalised_path)
    merge_submission.delay(bad.pk)  # the task swallows the domain error: no retry, the row says why
    bad.refresh_from_db()
    assert bad.status == Submission.Status.MERGE_FAILED
    assert "missing" in bad.merge_error
    pd.testing.assert_frame_equal(dataset_rows(), before)
    assert Release.objects.count() == releases


def test_a_failure_halfway_rolls_back_everything(volunteer, monkeypatch):
    source = make_source()
    submission = approved(volunteer, source, frame_for(REGIONS, ["confirmed"], DATES))

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    # Fails after the observations were written but before the submission is marked merged.
    monkeypatch.setattr(Submission.objects, "filter", _fail_on_merged(Submission.objects.filter, explode))
    with pytest.raises(merge.MergeFailed):
        merge.run(submission_id=submission.pk)
    monkeypatch.undo()
    assert Observation.objects.count() == 0
    assert Release.objects.count() == 0
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGE_FAILED
    assert "disk on fire" in submission.merge_error


def _fail_on_merged(original, explode):
    class Wrapped:
        def __init__(self, qs):
            self.qs = qs

        def update(self, **fields):
            if fields.get("status") == Submission.Status.MERGED:
                explode()
            return self.qs.update(**fields)

        def __getattr__(self, name):
            return getattr(self.qs, name)

    return lambda *a, **k: Wrapped(original(*a, **k))


def test_staff_retry_merges_a_failed_submission_and_is_logged(volunteer, make_user, django_capture_on_commit_callbacks):
    staff = make_user("staff@example.org", role="staff")
    frame = frame_for(REGIONS, ["deaths"], DATES)
    submission = approved(volunteer, make_source(), frame)
    path = submission.normalised_path
    content = default_storage.open(path, "rb").read()
    default_storage.delete(path)
    merge_submission.delay(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGE_FAILED
    default_storage.save(path, ContentFile(content))
    from review.services import retry_merge

    with django_capture_on_commit_callbacks(execute=True):
        retry_merge(submission=submission, actor=staff)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED
    assert ReviewAction.objects.filter(submission=submission, action=ReviewAction.Action.RETRY_MERGE).count() == 1


def test_sweeper_merges_approvals_that_were_never_dispatched(volunteer, settings):
    settings.MERGE_SWEEP_AFTER_MINUTES = 0
    from django.utils import timezone

    submission = approved(
        volunteer, make_source(), frame_for(REGIONS, ["confirmed"], DATES), approved_at=timezone.now()
    )
    assert sweep_stuck_merges.delay().get() == [submission.pk]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED


def test_sweeper_leaves_recent_approvals_alone(volunteer, settings):
    settings.MERGE_SWEEP_AFTER_MINUTES = 10
    from django.utils import timezone

    approved(volunteer, make_source(), frame_for(REGIONS, ["confirmed"], DATES), approved_at=timezone.now())
    assert merge.sweep() == []


def test_merge_after_an_import_replaces_values_and_keeps_others(volunteer):
    source = make_source()
    base = frame_for(REGIONS, ["confirmed"], DATES, value=lambda i: 1)
    upsert_observations(base, source=source, description="base", schedule_exports=False)
    update = frame_for(REGIONS[:2], ["confirmed"], DATES, value=lambda i: 7)
    release = merge.run(submission_id=approved(volunteer, source, update).pk)
    assert release.values_changed == len(update)
    values = dataset_rows()["value"].value_counts().to_dict()
    assert values == {7.0: len(update), 1.0: len(base) - len(update)}


def test_a_merge_with_nothing_new_still_makes_a_release(volunteer):
    source = make_source()
    frame = frame_for(REGIONS, ["confirmed"], DATES)
    merge.run(submission_id=approved(volunteer, source, frame).pk)
    again = approved(volunteer, source, frame)
    release = merge.run(submission_id=again.pk)
    assert release.values_added == release.values_changed == 0
    assert release.values_unchanged == len(frame)
    assert again in release.submissions.all()


def test_approving_data_saves_the_mapping_as_the_source_recipe(
    volunteer, make_user, django_capture_on_commit_callbacks
):
    from review.services import approve

    reviewer = make_user("rev@example.org", role="reviewer", countries=("IT",))
    source = make_source()
    submission = make_submission(submitter=volunteer, source=source, frame=frame_for(REGIONS, ["deaths"], DATES))
    with django_capture_on_commit_callbacks(execute=True):
        approve(submission=submission, reviewer=reviewer)
    recipe = SourceRecipe.objects.get(source=source)
    # A constant date holds for one file only: recipes never keep it.
    assert recipe.mapping == {k: v for k, v in submission.mapping.items() if k != "date"}
    assert recipe.updated_from == submission
