"""Approving data whose values differ from a higher-priority source's: override, keep theirs, or ask.

Through the pages and the API as people use them: a volunteer uploads, a reviewer decides, the merge
runs, and the dataset, the submitter's page, the email and the audit log are checked.
"""

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from contributions.models import Submission
from dataset.models import Observation, ObservationHistory
from dataset.upsert import upsert_observations
from review import services
from review.models import ReviewAction
from sources.models import Source
from tests.review.builders import frame_for
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db

DAYS = ["2020-03-01", "2020-03-02", "2020-03-03", "2020-03-04", "2020-03-05"]
OFFICIAL = [100, 120, 150, 170, 200]  # Italy, confirmed, from the ministry


@pytest.fixture
def ministry(reference_data):
    return make_source(name="Ministero della Salute", country="IT", institution_type=Source.InstitutionType.MINISTRY)


@pytest.fixture
def aggregator(reference_data):
    return make_source(name="World tracker", country=None, institution_type=Source.InstitutionType.AGGREGATOR)


@pytest.fixture
def official_values(ministry):
    frame = frame_for(["IT"], ["confirmed"], DAYS, value=lambda i: OFFICIAL[i])
    upsert_observations(frame, source=ministry, description="Ministry", schedule_exports=False)


@pytest.fixture
def world_reviewer(make_user):
    user = make_user("reviewer-world@example.org", role="reviewer", countries=())
    user.reviewer_scope.all_countries = True
    user.reviewer_scope.save()
    return user


def world_file() -> bytes:
    """Italy's five days (the first three differ from the ministry's figures), and Germany and France."""
    italy = [101, 121, 151, 170, 200]
    rows = [f"{day},Italy,confirmed,{value}" for day, value in zip(DAYS, italy, strict=True)]
    rows += [f"{day},Germany,confirmed,{10 + i}" for i, day in enumerate(DAYS)]
    rows += [f"{day},France,confirmed,{20 + i}" for i, day in enumerate(DAYS)]
    return ("date,location,metric,value\n" + "\n".join(rows) + "\n").encode()


def upload_page(client, user, source, content, captured) -> Submission:
    client.force_login(user)
    with captured(execute=True):
        response = client.post(
            reverse("contributions:upload"),
            {"source": source.pk, "file": SimpleUploadedFile("world.csv", content), "comment": "Daily file"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    submission = Submission.objects.filter(submitter=user).latest("created_at")
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    return submission


def italy(day: str) -> Observation:
    return Observation.objects.get(location__key="IT", metric__code="confirmed", date=date.fromisoformat(day))


def test_a_reviewer_approves_a_world_file_keeping_the_official_values_through_the_pages(
    client, volunteer, world_reviewer, staff, aggregator, ministry, official_values, django_capture_on_commit_callbacks
):
    submission = upload_page(client, volunteer, aggregator, world_file(), django_capture_on_commit_callbacks)
    assert submission.diff["higher_priority"]["count"] == 3

    client.force_login(world_reviewer)
    page = client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert 'id="higher-priority"' in page
    assert "3 values would replace values of a higher-priority source (Ministero della Salute" in page
    assert 'value="approve_keep"' in page
    assert "Approve, keeping the higher-priority values" in page
    kept = page[page.index('id="higher-priority-values"') :].split("</table>")[0]  # value by value
    assert kept.count("<tr><td>IT</td><td>confirmed</td>") == 3
    assert '<td class="num">100.0</td><td class="num">101.0</td>' in kept

    decide = reverse("review:decide", args=[submission.pk])
    answer = client.post(decide, {"decision": "approve", "version": 1}, follow=True).content.decode()
    assert "approve keeping the higher-priority values" in answer  # no choice made: refused, and why
    both = client.post(decide, {"decision": "approve_keep", "override": "on", "version": 1}, follow=True)
    assert "exclude each other" in both.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(decide, {"decision": "approve_keep", "version": 1, "comment": "Fine"}, follow=True)
    assert "The values of higher-priority sources are kept." in answer.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.MERGED
    assert submission.merged_release.values_added == 10
    assert submission.merged_release.values_skipped == 3
    assert "3 values kept from higher-priority sources (Ministero della Salute: 3)" in (
        submission.merged_release.changelog
    )

    # The dataset: the ministry's figures for Italy, the world file's for Germany and France.
    assert [italy(day).value for day in DAYS] == OFFICIAL
    assert {italy(day).source for day in DAYS} == {ministry}
    germany = Observation.objects.filter(location__key="DE").order_by("date")
    assert [(o.value, o.source) for o in germany] == [(10 + i, aggregator) for i in range(5)]
    assert not ObservationHistory.objects.exists()

    # The audit log: the choice, and the merge naming what it kept.
    approval = ReviewAction.objects.get(submission=submission, action=ReviewAction.Action.APPROVE)
    assert (approval.priority_decision, approval.override_priority) == ("keep", False)
    merged = ReviewAction.objects.get(submission=submission, action=ReviewAction.Action.MERGE)
    assert "3 values kept from higher-priority sources:" in merged.comment
    assert "- Ministero della Salute (priority 100), 3 values: Italy (IT) confirmed 2020-03-01 to 2020-03-03 (3)." in (
        merged.comment
    )
    client.force_login(staff)
    audit = client.get(reverse("review:audit")).content.decode()
    assert "kept higher-priority values</span>" in audit
    assert "3 values kept from higher-priority sources" in audit

    # The submitter: the history of their submission and the emails.
    client.force_login(volunteer)
    own = client.get(submission.get_absolute_url()).content.decode()
    assert "3 values kept from higher-priority sources:" in own
    assert "Italy (IT) confirmed 2020-03-01 to 2020-03-03 (3)" in own
    bodies = {message.subject: message.body for message in mail.outbox}
    approved = next(body for subject, body in bodies.items() if "was approved" in subject)
    assert "The reviewer chose to keep the values of higher-priority sources: 3 values" in approved
    merged_mail = next(body for subject, body in bodies.items() if "now in the dataset" in subject)
    assert "3 values kept from higher-priority sources" in merged_mail


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload_api(user, source, rows: str, captured) -> Submission:
    content = ("date,location,metric,value\n" + rows).encode()
    with captured(execute=True):
        response = api_as(user).post(
            "/api/v1/submissions/",
            {"file": SimpleUploadedFile("f.csv", content), "source": source.pk},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    return submission


def approve_api(reviewer, submission, captured, **choice):
    with captured(execute=True):
        return api_as(reviewer).post(
            f"/api/v1/submissions/{submission.pk}/approve/", {"version": submission.version, **choice}, format="json"
        )


def test_a_value_confirmed_by_a_higher_priority_source_is_theirs_and_then_kept_or_overridden(
    volunteer, reviewer, aggregator, ministry, django_capture_on_commit_callbacks
):
    """A (lower priority) sets a value; B (higher) uploads the same value: it is B's. Then A changes it:
    the reviewer must choose, and keeping leaves B's value; overriding lets A's win."""
    captured = django_capture_on_commit_callbacks
    first = upload_api(volunteer, aggregator, "2020-03-01,Italy,confirmed,100\n", captured)
    assert approve_api(reviewer, first, captured).status_code == 200
    assert italy("2020-03-01").source == aggregator

    confirmation = upload_api(volunteer, ministry, "2020-03-01,Italy,confirmed,100\n", captured)
    assert approve_api(reviewer, confirmation, captured).status_code == 200
    value = italy("2020-03-01")
    assert (value.value, value.source, value.submission_id) == (100, ministry, confirmation.pk)
    moved = ObservationHistory.objects.get()
    assert (moved.old_value, moved.new_value, moved.old_source, moved.new_source) == (100, 100, aggregator, ministry)
    merged = ReviewAction.objects.get(submission=confirmation, action=ReviewAction.Action.MERGE)
    assert "1 unchanged values now cite this source" in merged.comment

    change = upload_api(volunteer, aggregator, "2020-03-01,Italy,confirmed,130\n", captured)
    assert change.diff["higher_priority"]["count"] == 1
    refused = approve_api(reviewer, change, captured)
    assert (refused.status_code, refused.json()["code"]) == (409, "override_required")
    both = approve_api(reviewer, change, captured, override=True, keep_higher_priority=True)
    assert both.status_code == 400
    assert "not both" in both.json()["errors"]["keep_higher_priority"][0]
    kept = approve_api(reviewer, change, captured, keep_higher_priority=True)
    assert kept.status_code == 200, kept.content
    assert kept.json()["action"]["priority_decision"] == "keep"
    assert kept.json()["action"]["override_priority"] is False
    assert (italy("2020-03-01").value, italy("2020-03-01").source) == (100, ministry)
    change.refresh_from_db()
    assert change.status == Submission.Status.MERGED
    assert change.merged_release.values_skipped == 1

    again = upload_api(volunteer, aggregator, "2020-03-01,Italy,confirmed,140\n", captured)
    overridden = approve_api(reviewer, again, captured, override=True)
    assert overridden.json()["action"]["priority_decision"] == "override"
    assert (italy("2020-03-01").value, italy("2020-03-01").source) == (140, aggregator)


def test_keeping_and_overriding_exclude_each_other_and_one_is_needed(reviewer, submission, ministry):
    Submission.objects.filter(pk=submission.pk).update(diff={"higher_priority": {"count": 2}})
    submission.refresh_from_db()
    with pytest.raises(services.ReviewError, match="not both"):
        services.approve(submission=submission, reviewer=reviewer, override=True, keep_higher_priority=True)
    with pytest.raises(services.OverrideRequired, match="approve keeping the higher-priority values"):
        services.approve(submission=submission, reviewer=reviewer)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW
    assert not ReviewAction.objects.filter(action=ReviewAction.Action.APPROVE).exists()


def test_an_approval_with_nothing_to_keep_records_no_choice(reviewer, submission):
    action = services.approve(submission=submission, reviewer=reviewer)
    assert (action.priority_decision, action.override_priority) == ("", False)


def test_the_keep_choice_is_offered_only_when_there_is_something_to_keep(client, reviewer, submission):
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert 'value="approve_keep"' not in page
    Submission.objects.filter(pk=submission.pk).update(diff={"higher_priority": {"count": 2}})
    page = client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert 'value="approve_keep"' in page
