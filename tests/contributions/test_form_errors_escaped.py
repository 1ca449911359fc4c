"""Form errors that repeat what was typed are escaped, never rendered as HTML (upload and mapping forms)."""

import re
from pathlib import Path

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


def test_no_template_marks_a_form_error_safe():
    templates = Path(__file__).resolve().parents[2] / "templates"
    marked = re.compile(r"{{\s*[\w.]*errors?[\w.]*\s*\|\s*safe")
    found = [str(p) for p in templates.rglob("*.html") if marked.search(p.read_text(encoding="utf-8"))]
    assert found == []
