"""After approval the submitter's page says the merge is under way and keeps polling until it is done."""

import pytest
from django.urls import reverse

from contributions.models import Submission
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db


def test_the_page_polls_while_approved_data_is_merged_and_stops_once_merged(client, make_user):
    volunteer = make_user("merge-progress@example.org")
    submission = make_submission(
        submitter=volunteer,
        source=make_source(),
        frame=frame_for(["IT_21"], ["confirmed"], ["2020-03-01"]),
        status=Submission.Status.APPROVED,
    )
    client.force_login(volunteer)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Merging into the dataset" in page
    status_url = reverse("contributions:status", args=[submission.pk])
    assert client.get(status_url).json()["busy"] is True

    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.MERGED)
    assert client.get(status_url).json()["busy"] is False
    assert "Merging into the dataset" not in client.get(submission.get_absolute_url()).content.decode()


def test_an_approved_source_proposal_is_not_shown_as_merging(client, make_user):
    volunteer = make_user("proposal-progress@example.org")
    submission = make_submission(
        submitter=volunteer, source=make_source(), kind=Submission.Kind.SOURCE, status=Submission.Status.APPROVED
    )
    client.force_login(volunteer)
    assert client.get(reverse("contributions:status", args=[submission.pk])).json()["busy"] is False
