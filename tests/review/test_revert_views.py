"""The revert page: a reviewer proposes, another confirms, and the page shows the result."""

import pandas as pd
import pytest
from django.urls import reverse

from contributions.models import Submission
from dataset.models import Observation
from review import merge
from review.models import Revert
from tests.review.builders import frame_for, make_submission

DATES = pd.date_range("2020-03-01", periods=3).strftime("%Y-%m-%d").tolist()

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged_pair(volunteer, italy_source):
    """A first merge and a second one that changes its values, one of them changed again later."""
    subs = []
    for value in (lambda i: 1, lambda i: 99, None):
        frame = (
            frame_for(["IT_21"], ["confirmed"], DATES, value=value)
            if value
            else frame_for(["IT_21"], ["confirmed"], DATES[:1], value=lambda i: 7)
        )
        submission = make_submission(
            submitter=volunteer, source=italy_source, frame=frame, status=Submission.Status.APPROVED
        )
        merge.run(submission_id=submission.pk)
        submission.refresh_from_db()
        subs.append(submission)
    return subs


def test_a_revert_proposed_by_one_reviewer_and_confirmed_by_another_restores_values(
    client, reviewer, other_reviewer, merged_pair, django_capture_on_commit_callbacks
):
    _, bad, _ = merged_pair
    client.force_login(reviewer)
    page = client.get(reverse("review:revert", args=[bad.pk]))
    assert page.status_code == 200
    assert "Propose the revert" in page.content.decode()
    client.post(reverse("review:propose_revert", args=[bad.pk]), {"reason": "Double counted"})
    proposal = Revert.objects.get(submission=bad)
    page = client.get(reverse("review:revert", args=[bad.pk])).content.decode()
    assert "another reviewer must confirm it" in page
    assert 'id="changed-later"' in page  # the value changed later is listed
    client.force_login(other_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review:confirm_revert", args=[bad.pk, proposal.pk]), {"changed_later": "skip"})
    proposal.refresh_from_db()
    assert proposal.status == Revert.Status.DONE
    assert sorted(Observation.objects.values_list("value", flat=True)) == [1.0, 1.0, 7.0]
    page = client.get(reverse("review:revert", args=[bad.pk])).content.decode()
    assert "2 values restored" in page
    # The revert is a release like any other: its changelog page names it and what it restored.
    assert proposal.release is not None
    changes = client.get(reverse("dataset:release_changes", args=[proposal.release.number])).content.decode()
    assert f"Revert of submission #{bad.pk}" in changes
    assert 'id="place-IT_21"' in changes


def test_the_proposer_cannot_confirm_through_the_page(client, reviewer, merged_pair):
    _, bad, _ = merged_pair
    client.force_login(reviewer)
    client.post(reverse("review:propose_revert", args=[bad.pk]), {"reason": "Double counted"})
    proposal = Revert.objects.get(submission=bad)
    client.post(reverse("review:confirm_revert", args=[bad.pk, proposal.pk]), {"changed_later": "include"})
    proposal.refresh_from_db()
    assert proposal.status == Revert.Status.PROPOSED


def test_the_revert_page_of_another_country_is_not_found(client, german_reviewer, merged_pair):
    client.force_login(german_reviewer)
    assert client.get(reverse("review:revert", args=[merged_pair[1].pk])).status_code == 404


def test_volunteers_cannot_open_the_revert_page(client, volunteer, merged_pair):
    client.force_login(volunteer)
    assert client.get(reverse("review:revert", args=[merged_pair[1].pk])).status_code == 403
