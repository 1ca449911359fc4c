"""Moderation reads: the queue, claims, the digest preference and who may review what."""

import pytest
from django.utils import timezone

from contributions.models import Submission
from review import selectors, services
from review.permissions import can_review, why_not_review
from tests.review.builders import make_submission

pytestmark = pytest.mark.django_db


def test_queue_is_oldest_first_and_filters_by_kind_and_warnings(reviewer, volunteer, italy_source):
    first = make_submission(submitter=volunteer, source=italy_source, warning_count=2)
    second = make_submission(submitter=volunteer, source=italy_source, kind=Submission.Kind.SOURCE)
    Submission.objects.filter(pk=first.pk).update(created_at=timezone.now() - timezone.timedelta(days=3))
    assert list(selectors.queue_for(reviewer)) == [first, second]
    assert list(selectors.queue_for(reviewer, kind="source")) == [second]
    assert list(selectors.queue_for(reviewer, has_warnings=True)) == [first]
    assert list(selectors.queue_for(reviewer, older_than_days=2)) == [first]


def test_counts_per_status_cover_only_the_reviewers_scope(submission, reviewer, german_reviewer):
    assert selectors.counts_per_status(reviewer) == {Submission.Status.AWAITING_REVIEW: 1}
    assert selectors.counts_per_status(german_reviewer) == {}


def test_holder_is_the_reviewer_with_a_live_claim(submission, reviewer):
    assert selectors.holder(submission) is None
    services.claim(submission=submission, reviewer=reviewer)
    submission.refresh_from_db()
    assert selectors.holder(submission) == reviewer
    Submission.objects.filter(pk=submission.pk).update(claimed_until=timezone.now() - timezone.timedelta(minutes=1))
    submission.refresh_from_db()
    assert selectors.holder(submission) is None


def test_daily_digest_preference_is_off_until_switched_on(reviewer):
    assert not selectors.wants_daily_digest(reviewer)
    services.set_daily_digest(reviewer=reviewer, wanted=True)
    assert selectors.wants_daily_digest(reviewer)
    assert list(selectors.digest_subscribers().values_list("user", flat=True)) == [reviewer.pk]
    services.set_daily_digest(reviewer=reviewer, wanted=False)
    assert not selectors.wants_daily_digest(reviewer)


def test_can_review_says_why_not(submission, reviewer, german_reviewer, volunteer, make_user):
    assert can_review(reviewer, submission)
    assert "outside the countries" in why_not_review(german_reviewer, submission)
    assert "your own submission" in why_not_review(make_own_reviewer(make_user, submission), submission)
    assert why_not_review(volunteer, submission) == "Only reviewers can moderate submissions."


def make_own_reviewer(make_user, submission):
    """A reviewer who is also the submitter of `submission`."""
    reviewer = make_user("own@example.org", role="reviewer", countries=("IT",))
    Submission.objects.filter(pk=submission.pk).update(submitter=reviewer)
    submission.refresh_from_db()
    return reviewer
