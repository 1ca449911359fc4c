"""Form errors that repeat what was typed are escaped, never rendered as HTML (upload and mapping forms)."""

import pytest
from django.urls import reverse

from contributions.models import Submission
from tests.contributions.factories import SubmissionFactory

PAYLOAD = "<script>alert(1)</script>"


@pytest.mark.django_db
def test_the_mapping_form_escapes_a_place_key_it_repeats(client, make_user):
    volunteer = make_user("giulia@example.org")
    submission = SubmissionFactory(submitter=volunteer, status=Submission.Status.NEEDS_MAPPING)
    client.force_login(volunteer)
    response = client.post(
        reverse("contributions:mapping", args=[submission.pk]), {"layout": "long", "location": PAYLOAD}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "No place has the key" in page
    assert PAYLOAD not in page
    assert "&lt;script&gt;" in page
