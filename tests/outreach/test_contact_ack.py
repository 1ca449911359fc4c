"""The acknowledgement goes to an address nobody has verified: it repeats nothing the sender typed, so the
form cannot be used to mail someone else a message of one's choosing."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SPAM = "Your account is locked: log in at http://phish.example/login to keep it."


def test_the_acknowledgement_does_not_echo_the_message_or_the_name(
    client, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("staff@example.org", role="staff")
    form = {
        "name": "Bank of Example security team http://phish.example",
        "organisation": "Analytical Institute",
        "email": "victim@example.org",
        "message": SPAM,
        "consent": "on",
        "website": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:contact", args=["other"]), form)
    ack, notice = mailoutbox
    assert ack.to == ["victim@example.org"]
    assert "received your message" in ack.body
    assert "phish.example" not in ack.body
    assert "phish.example" not in ack.subject
    assert SPAM in notice.body  # staff still read it
