"""Reviewer API: the same rules as the pages, answered with clear status codes."""

import pytest
from rest_framework.test import APIClient

from contributions.models import Submission
from review.models import ReviewAction

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_approve_through_the_api(reviewer, submission, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(reviewer).post(
            f"/api/v1/submissions/{submission.pk}/approve/", {"comment": "ok", "version": 1}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["action"]["action"] == "approve"
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED


def test_reject_needs_a_comment(reviewer, submission):
    response = api(reviewer).post(f"/api/v1/submissions/{submission.pk}/reject/", {"version": 1}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()["errors"]


def test_request_changes_records_the_comment(reviewer, submission):
    response = api(reviewer).post(
        f"/api/v1/submissions/{submission.pk}/request-changes/",
        {"comment": "Use the regional file", "version": 1},
        format="json",
    )
    assert response.status_code == 200
    assert ReviewAction.objects.get(submission=submission, action="request_changes").comment == "Use the regional file"


def test_out_of_scope_is_not_found(german_reviewer, submission):
    response = api(german_reviewer).post(f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 404


def test_own_submission_is_forbidden(make_user, italy_source):
    from tests.review.builders import make_submission

    reviewer = make_user("self-api@example.org", role="reviewer", countries=("IT",))
    own = make_submission(submitter=reviewer, source=italy_source)
    response = api(reviewer).post(f"/api/v1/submissions/{own.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 403


def test_volunteers_cannot_decide(volunteer, submission):
    response = api(volunteer).post(f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 403


def test_anonymous_cannot_decide(submission):
    response = APIClient().post(f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code in (401, 403)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW


def test_second_decision_is_a_conflict(reviewer, other_reviewer, submission):
    api(reviewer).post(
        f"/api/v1/submissions/{submission.pk}/reject/", {"comment": "duplicate", "version": 1}, format="json"
    )
    response = api(other_reviewer).post(f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_override_is_required_and_recorded(reviewer, submission):
    Submission.objects.filter(pk=submission.pk).update(diff={"higher_priority": {"count": 2}})
    url = f"/api/v1/submissions/{submission.pk}/approve/"
    assert api(reviewer).post(url, {"version": 1}, format="json").json()["code"] == "override_required"
    response = api(reviewer).post(url, {"override": True, "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["action"]["override_priority"] is True


def test_queue_lists_only_the_reviewers_scope(reviewer, german_reviewer, submission):
    ids = [item["id"] for item in api(reviewer).get("/api/v1/review/queue/").json()["results"]]
    assert ids == [submission.pk]
    assert api(german_reviewer).get("/api/v1/review/queue/").json()["results"] == []


def test_queue_filters_by_warnings(reviewer, submission):
    response = api(reviewer).get("/api/v1/review/queue/", {"has_warnings": "true"})
    assert response.json()["results"] == []


def test_queue_filters_by_source(reviewer, volunteer, submission):
    from tests.review.builders import make_submission
    from tests.sources.factories import make_source

    other = make_submission(submitter=volunteer, source=make_source())
    response = api(reviewer).get("/api/v1/review/queue/", {"source": other.source_id})
    assert [item["id"] for item in response.json()["results"]] == [other.pk]
