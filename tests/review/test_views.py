"""Moderation pages: who may see and do what, and what a reviewer sees."""

import pytest
from django.urls import reverse

from contributions.models import Submission
from review.models import ReviewAction, ReviewerPreference
from tests.dataset.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_queue_lists_waiting_submissions_in_scope(client, reviewer, submission):
    response = login(client, reviewer).get(reverse("review:queue"))
    assert response.status_code == 200
    assert f"#{submission.pk}" in response.content.decode()


def test_queue_is_for_reviewers_only(client, volunteer):
    assert login(client, volunteer).get(reverse("review:queue")).status_code == 403


def test_queue_requires_sign_in(client, reference_data):
    response = client.get(reverse("review:queue"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_review_page_of_another_country_is_not_found(client, german_reviewer, submission):
    assert login(client, german_reviewer).get(reverse("review:detail", args=[submission.pk])).status_code == 404


def test_review_page_shows_source_priority_report_and_history(client, reviewer, submission):
    Submission.objects.filter(pk=submission.pk).update(
        report={
            "problems": [
                {"severity": "warning", "row": 7, "column": "totale_casi", "value": "-3", "message": "Negative count"}
            ]
        },
        diff={
            "counts": {"new": 10, "changed": 0, "unchanged": 0},
            "series": [{"location": "IT_21", "metric": "confirmed", "new": 5, "changed": 0, "unchanged": 0}],
        },
    )
    login(client, reviewer).post(reverse("review:claim", args=[submission.pk]))
    page = client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert "Negative count" in page
    assert f"Priority</dt><dd>{submission.source.priority}" in page
    assert "Claimed</strong>" in page
    assert 'id="diff-chart-data"' in page


@pytest.mark.parametrize("releases_since", [0, 1])
def test_review_page_says_which_release_the_diff_was_computed_against(client, reviewer, submission, releases_since):
    ReleaseFactory.create_batch(1 + releases_since)  # release 1, then release 2 if the dataset changed since
    Submission.objects.filter(pk=submission.pk).update(
        diff={"counts": {"new": 10, "changed": 0, "unchanged": 0}, "release": 1}
    )
    page = login(client, reviewer).get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert "Compared with release 1 when the file was validated." in page
    assert ("The dataset has changed since (release 2 is the latest)" in page) == bool(releases_since)


def test_approve_from_the_page_merges_and_logs(client, reviewer, submission, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, reviewer).post(
            reverse("review:decide", args=[submission.pk]),
            {"decision": "approve", "comment": "Looks right", "version": 1},
        )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED
    assert ReviewAction.objects.filter(submission=submission, action="approve", actor=reviewer).exists()


def test_reject_without_comment_is_refused_with_a_message(client, reviewer, submission):
    response = login(client, reviewer).post(
        reverse("review:decide", args=[submission.pk]), {"decision": "reject", "comment": "", "version": 1}, follow=True
    )
    assert "Say why" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW


def test_submitter_cannot_approve_their_own_through_the_page(client, make_user, italy_source):
    from tests.review.builders import make_submission

    reviewer = make_user("self@example.org", role="reviewer", countries=("IT",))
    own = make_submission(submitter=reviewer, source=italy_source)
    response = login(client, reviewer).post(
        reverse("review:decide", args=[own.pk]), {"decision": "approve", "version": 1}
    )
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.status == Submission.Status.AWAITING_REVIEW


def test_decisions_need_post(client, reviewer, submission):
    assert login(client, reviewer).get(reverse("review:decide", args=[submission.pk])).status_code == 405


def test_digest_opt_in_is_saved(client, reviewer):
    login(client, reviewer).post(reverse("review:digest"), {"daily_digest": "on"})
    assert ReviewerPreference.objects.get(user=reviewer).daily_digest
    client.post(reverse("review:digest"), {})
    assert not ReviewerPreference.objects.get(user=reviewer).daily_digest


def test_audit_log_is_for_staff_only(client, reviewer):
    assert login(client, reviewer).get(reverse("review:audit")).status_code == 403


def test_audit_log_filters_and_exports_csv(client, staff, reviewer, submission):
    from review import services

    services.claim(submission=submission, reviewer=reviewer)
    services.comment(submission=submission, reviewer=reviewer, comment='=HYPERLINK("http://evil")')
    login(client, staff)
    page = client.get(reverse("review:audit"), {"action": "claim"}).content.decode()
    assert "Claimed" in page
    assert "HYPERLINK" not in page
    response = client.get(reverse("review:audit"), {"submission": submission.pk, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("time,submission,country")
    assert len(lines) == 3
    assert "'=HYPERLINK" in lines[1] + lines[2]


def test_staff_see_failed_merges_and_can_retry(client, staff, submission):
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.MERGE_FAILED, merge_error="UpsertError: values must be finite numbers"
    )
    login(client, staff)
    assert "values must be finite numbers" in client.get(reverse("review:audit")).content.decode()
    client.post(reverse("review:retry_merge", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    assert ReviewAction.objects.filter(submission=submission, action=ReviewAction.Action.RETRY_MERGE).exists()


PAGES = [  # (url name, needs the submission id, method)
    ("review:queue", False, "get"),
    ("review:detail", True, "get"),
    ("review:audit", False, "get"),
    ("review:claim", True, "post"),
]
EXPECTED = {  # role → status per page, in PAGES order
    "anonymous": (302, 302, 302, 302),
    "volunteer": (403, 403, 403, 403),
    "reviewer_in_scope": (200, 200, 403, 302),
    "reviewer_out_of_scope": (200, 404, 403, 404),
    "staff": (200, 200, 200, 302),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_page_permission_matrix(client, role, volunteer, reviewer, german_reviewer, staff, submission):
    user = {
        "anonymous": None,
        "volunteer": volunteer,
        "reviewer_in_scope": reviewer,
        "reviewer_out_of_scope": german_reviewer,
        "staff": staff,
    }[role]
    if user is not None:
        client.force_login(user)
    got = tuple(
        getattr(client, method)(reverse(name, args=[submission.pk] if with_id else [])).status_code
        for name, with_id, method in PAGES
    )
    assert got == EXPECTED[role]
