"""Moderation rules: four eyes, scope, claims, decisions and their side effects."""

import pytest
from django.utils import timezone

from contributions.models import Submission
from dataset.models import Observation
from review import selectors, services
from review.models import ReviewAction
from sources.models import Source
from tests.review.builders import make_submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db


def test_nobody_reviews_their_own_submission(make_user, italy_source):
    reviewer = make_user("both@example.org", role="reviewer", countries=("IT",))
    own = make_submission(submitter=reviewer, source=italy_source)
    with pytest.raises(services.NotAllowed):
        services.approve(submission=own, reviewer=reviewer)
    assert own not in selectors.queue_for(reviewer)
    own.refresh_from_db()
    assert own.status == Submission.Status.AWAITING_REVIEW


def test_reviewer_cannot_act_outside_their_countries(submission, german_reviewer):
    assert submission not in selectors.queue_for(german_reviewer)
    for act in (services.claim, services.approve):
        with pytest.raises(services.NotAllowed):
            act(submission=submission, reviewer=german_reviewer)


def test_a_volunteer_is_not_a_reviewer(submission, make_user):
    someone = make_user("someone@example.org")
    with pytest.raises(services.NotAllowed):
        services.approve(submission=submission, reviewer=someone)


def test_staff_can_act_in_every_country(staff, volunteer, reference_data):
    german = make_submission(submitter=volunteer, source=make_source(country="DE"), country="DE")
    assert german in selectors.queue_for(staff)
    services.approve(submission=german, reviewer=staff)
    german.refresh_from_db()
    assert german.status == Submission.Status.APPROVED


def test_claim_holds_the_submission_against_other_reviewers(submission, reviewer, other_reviewer):
    services.claim(submission=submission, reviewer=reviewer)
    with pytest.raises(services.Conflict, match="reviewing this submission"):
        services.claim(submission=submission, reviewer=other_reviewer)
    with pytest.raises(services.Conflict):
        services.approve(submission=submission, reviewer=other_reviewer)
    assert list(selectors.claimed_by_me(reviewer)) == [submission]


def test_released_claim_lets_others_claim(submission, reviewer, other_reviewer):
    services.claim(submission=submission, reviewer=reviewer)
    services.release(submission=submission, reviewer=reviewer)
    services.claim(submission=submission, reviewer=other_reviewer)
    submission.refresh_from_db()
    assert submission.claimed_by == other_reviewer


def test_expired_claims_return_to_the_queue_and_are_logged(submission, reviewer, other_reviewer):
    services.claim(submission=submission, reviewer=reviewer, minutes=1)
    Submission.objects.filter(pk=submission.pk).update(claimed_until=timezone.now() - timezone.timedelta(seconds=1))
    assert services.expire_claims() == 1
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW
    assert submission.claimed_by is None
    assert submission.actions.filter(action=ReviewAction.Action.EXPIRE).exists()
    services.claim(submission=submission, reviewer=other_reviewer)


def test_reject_and_request_changes_need_a_comment(submission, reviewer):
    with pytest.raises(services.ReviewError):
        services.reject(submission=submission, reviewer=reviewer, comment="  ")
    with pytest.raises(services.ReviewError):
        services.request_changes(submission=submission, reviewer=reviewer, comment="")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW


def test_a_decided_submission_cannot_be_decided_again(submission, reviewer, other_reviewer):
    services.reject(submission=submission, reviewer=reviewer, comment="Wrong file: this is the provincial one")
    with pytest.raises(services.Conflict, match="already rejected"):
        services.approve(submission=submission, reviewer=other_reviewer)


def test_approving_data_merges_it_after_commit(submission, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        action = services.approve(submission=submission, reviewer=reviewer, comment="Matches the PDF bulletin")
    submission.refresh_from_db()
    assert action.action == ReviewAction.Action.APPROVE
    assert submission.status == Submission.Status.MERGED
    assert Observation.objects.filter(submission=submission).count() == submission.row_count


def test_overwriting_a_higher_priority_source_needs_the_recorded_override(submission, reviewer):
    Submission.objects.filter(pk=submission.pk).update(diff={"higher_priority": {"count": 3}})
    submission.refresh_from_db()
    with pytest.raises(services.OverrideRequired, match="3 values"):
        services.approve(submission=submission, reviewer=reviewer)
    action = services.approve(submission=submission, reviewer=reviewer, override=True)
    submission.refresh_from_db()
    assert action.override_priority
    assert submission.override_priority


def test_approving_a_source_proposal_approves_the_source(volunteer, reviewer, reference_data):
    proposed = make_source(status=Source.Status.PROPOSED)
    proposal = make_submission(submitter=volunteer, source=proposed, kind=Submission.Kind.SOURCE)
    services.approve(submission=proposal, reviewer=reviewer)
    proposed.refresh_from_db()
    assert proposed.status == Source.Status.APPROVED
    assert proposed.approved_by == reviewer


def test_rejecting_a_source_proposal_rejects_the_source(volunteer, reviewer, reference_data):
    proposed = make_source(status=Source.Status.PROPOSED)
    proposal = make_submission(submitter=volunteer, source=proposed, kind=Submission.Kind.SOURCE)
    services.reject(submission=proposal, reviewer=reviewer, comment="This is a news site, not an institution")
    proposed.refresh_from_db()
    assert proposed.status == Source.Status.REJECTED


def test_every_action_is_in_the_audit_log(submission, reviewer):
    services.claim(submission=submission, reviewer=reviewer)
    services.comment(submission=submission, reviewer=reviewer, comment="Checking against the bulletin")
    services.request_changes(submission=submission, reviewer=reviewer, comment="Dates are shifted by one day")
    assert list(submission.actions.values_list("action", flat=True)) == ["claim", "comment", "request_changes"]


def test_only_staff_retry_merges(submission, reviewer):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.MERGE_FAILED, merge_error="x")
    with pytest.raises(services.NotAllowed):
        services.retry_merge(submission=submission, actor=reviewer)
