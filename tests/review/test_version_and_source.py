"""Decisions bound to the version the reviewer saw (issue 13, §2); no data from a source that is not
approved, and priority set by reviewers (§3); no email part as a public name (§6)."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from contributions import services as uploads
from contributions.models import Submission
from review import services
from review.models import ReviewAction
from sources.models import Source
from sources.services import default_priority
from tests.review.builders import frame_for, make_submission
from tests.review.conftest import DATES
from tests.sources.factories import make_source

FRENCH = b"date,location,metric,value\n2023-03-01,France,deaths,1\n"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def replace(submission, volunteer, content=b"date,location,metric,value\n2023-03-01,Lombardia,deaths,3\n"):
    return uploads.replace_file(
        submission=submission, user=volunteer, uploaded=SimpleUploadedFile("corrected.csv", content)
    )


def test_the_api_refuses_a_decision_on_a_version_the_reviewer_did_not_see(reviewer, volunteer, submission):
    replace(submission, volunteer)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.AWAITING_REVIEW)
    response = api(reviewer).post(f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "version_changed"
    assert "version 2" in response.json()["detail"]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW
    ok = api(reviewer).post(
        f"/api/v1/submissions/{submission.pk}/reject/", {"version": 2, "comment": "no"}, format="json"
    )
    assert ok.status_code == 200


def test_the_api_takes_the_sha256_shown_as_the_version(reviewer, submission):
    stale = "0" * 64
    Submission.objects.filter(pk=submission.pk).update(sha256="ab" * 32)
    submission.refresh_from_db()
    response = api(reviewer).post(f"/api/v1/submissions/{submission.pk}/approve/", {"sha256": stale}, format="json")
    assert response.status_code == 409
    response = api(reviewer).post(
        f"/api/v1/submissions/{submission.pk}/approve/", {"sha256": submission.sha256}, format="json"
    )
    assert response.status_code == 200, response.content


def test_a_decision_without_a_version_is_refused_by_the_api(reviewer, submission):
    response = api(reviewer).post(f"/api/v1/submissions/{submission.pk}/approve/", {}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["detail"]


def test_the_page_form_carries_the_version_and_a_changed_file_gets_a_clear_message(
    client, reviewer, volunteer, submission
):
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert 'name="version" value="1"' in page
    replace(submission, volunteer)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.AWAITING_REVIEW)
    response = client.post(
        reverse("review:decide", args=[submission.pk]), {"decision": "approve", "version": 1}, follow=True
    )
    assert "the submitter sent a new version (version 2)" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.AWAITING_REVIEW


def test_replacing_the_file_releases_the_claim_and_tells_the_reviewer(
    reviewer, volunteer, submission, django_capture_on_commit_callbacks
):
    services.claim(submission=submission, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        replace(submission, volunteer)
    submission.refresh_from_db()
    assert submission.claimed_by is None
    assert submission.version == 2
    released = ReviewAction.objects.filter(submission=submission).last()
    assert (released.action, released.actor) == (ReviewAction.Action.RELEASE, reviewer)
    assert "version 2" in released.comment
    assert [m.to for m in mail.outbox if "your claim was released" in m.subject] == [[reviewer.email]]


def test_a_new_mapping_is_a_new_version_too(reviewer, volunteer, submission):
    uploads.set_mapping(submission=submission, user=volunteer, mapping={"layout": "long"})
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.AWAITING_REVIEW)
    submission.refresh_from_db()
    assert submission.version == 2
    response = api(reviewer).post(f"/api/v1/submissions/{submission.pk}/approve/", {"version": 1}, format="json")
    assert response.json()["code"] == "version_changed"


def proposed_source_with_data(volunteer):
    source = make_source(
        country="IT", status=Source.Status.PROPOSED, institution_type="ministry", proposed_by=volunteer
    )
    source.priority = 1000  # whatever the proposer's choices gave it
    source.save()
    proposal = make_submission(submitter=volunteer, source=source, kind=Submission.Kind.SOURCE)
    data = make_submission(submitter=volunteer, source=source, frame=frame_for(["IT"], ["deaths"], DATES))
    return source, proposal, data


def test_data_of_a_proposed_source_cannot_be_approved_until_the_source_is(reviewer, volunteer):
    source, proposal, data = proposed_source_with_data(volunteer)
    response = api(reviewer).post(f"/api/v1/submissions/{data.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "source_not_approved"
    assert f"proposal #{proposal.pk}" in response.json()["detail"]
    response = api(reviewer).post(f"/api/v1/submissions/{proposal.pk}/approve/", {"version": 1}, format="json")
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.status == Source.Status.APPROVED
    assert source.priority == default_priority("ministry")  # set by the reviewer's decision, not the proposer
    assert (
        api(reviewer).post(f"/api/v1/submissions/{data.pk}/approve/", {"version": 1}, format="json").status_code == 200
    )


def test_the_reviewer_sets_the_priority_when_approving_a_source(reviewer, volunteer):
    source, proposal, _ = proposed_source_with_data(volunteer)
    response = api(reviewer).post(
        f"/api/v1/submissions/{proposal.pk}/approve/", {"version": 1, "priority": 35}, format="json"
    )
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.priority == 35


def test_the_review_page_of_such_data_offers_the_source_decision_first(client, reviewer, volunteer):
    source, proposal, data = proposed_source_with_data(volunteer)
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[data.pk])).content.decode()
    assert page.index('id="source-first"') < page.index('id="decision-form"')
    assert reverse("review:decide", args=[proposal.pk]) in page
    assert 'name="priority"' in page
    response = client.post(
        reverse("review:decide", args=[proposal.pk]),
        {"decision": "approve", "version": 1, "priority": 40, "then": data.pk},
    )
    assert response["Location"] == reverse("review:detail", args=[data.pk])
    source.refresh_from_db()
    assert (source.status, source.priority) == (Source.Status.APPROVED, 40)


def test_the_review_page_shows_a_mapping_that_changes_places_and_the_countries(client, reviewer, volunteer, submission):
    Submission.objects.filter(pk=submission.pk).update(
        report={
            "valid": True,
            "mapping": {"layout": "long", "locations": {"Bavaria": "IT_25"}, "unknown_sublocations": "aggregate"},
            "countries": [{"key": "IT", "name": "Italy", "values": 10}],
        }
    )
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[submission.pk])).content.decode()
    assert "“Bavaria” → <code>IT_25</code>" in page
    assert "added up into it" in page
    assert "Italy (IT)" in page
    body = api(reviewer).get(f"/api/v1/submissions/{submission.pk}/").json()
    assert body["place_mapping"] == {"locations": {"Bavaria": "IT_25"}, "unknown_sublocations": "aggregate"}
    assert body["countries"] == ["IT"]


def test_no_email_local_part_is_shown_as_a_public_name(reviewer, volunteer, make_user):
    source, proposal, _ = proposed_source_with_data(volunteer)
    api(reviewer).post(f"/api/v1/submissions/{proposal.pk}/approve/", {"version": 1}, format="json")
    body = APIClient().get(f"/api/v1/sources/{source.pk}/").json()
    assert body["approved_by"] == "a reviewer"
    assert "reviewer-it" not in str(body)
    assert body["proposed_by"] in (volunteer.profile.display_name or "a volunteer", "a volunteer")


def test_a_recipe_saved_from_a_mapping_is_shown_on_the_source_page(client, reviewer, volunteer, italy_source):
    data = make_submission(
        submitter=volunteer,
        source=italy_source,
        frame=frame_for(["IT_25"], ["deaths"], DATES),
        layout="long",
        mapping={"layout": "long", "locations": {"Lombardy region": "IT_25"}},
    )
    services.approve(submission=data, reviewer=reviewer, version=1)
    page = client.get(italy_source.get_absolute_url()).content.decode()
    assert 'id="source-recipe"' in page
    assert "“Lombardy region” → <code>IT_25</code>" in page


def test_the_source_page_lists_the_history_of_its_recipe(client, reviewer, volunteer, italy_source):
    """Two approved uploads with different mappings: the page keeps the latest and names both."""
    approved = []
    for name, mapping in [("first", {"locations": {"Lombardia": "IT_25"}}), ("second", {"date_format": "%d/%m/%Y"})]:
        data = make_submission(
            submitter=volunteer,
            source=italy_source,
            frame=frame_for(["IT_25"], ["deaths"], DATES),
            layout="long",
            mapping={"layout": "long", **mapping},
            original_filename=f"{name}.csv",
        )
        services.approve(submission=data, reviewer=reviewer, version=1)
        approved.append(data)
    page = client.get(italy_source.get_absolute_url()).content.decode()
    assert "History of this recipe" in page
    assert f"#{approved[0].pk}, approved" in page
    assert f"#{approved[1].pk}, approved" in page
    assert "<code>date_format</code>" in page
