"""In-app notices: a count in the header, a list, and per-kind e-mail choices."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import notices
from accounts.models import Notice
from review import notifications
from tests.review.builders import frame_for, make_submission
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(make_user):
    volunteer = make_user("vol@example.org")
    return make_submission(
        submitter=volunteer, source=make_source(country="IT"), frame=frame_for(["IT_25"], ["confirmed"], ["2020-03-01"])
    )


def test_a_decision_is_a_notice_with_a_count_in_the_header(client, submission):
    notifications.queue(submission.pk, "changes_requested")

    client.force_login(submission.submitter)
    home = client.get(reverse("accounts:notices"))
    page = home.content.decode()
    assert 'id="notice-count"' in page
    assert "Changes requested on submission" in page
    assert len(mail.outbox) == 1  # the e-mail stays


def test_marking_notices_read_clears_the_count(client, submission):
    notifications.queue(submission.pk, "approved")
    client.force_login(submission.submitter)

    client.post(reverse("accounts:notices_read"))

    assert 'id="notice-count"' not in client.get(reverse("accounts:notices")).content.decode()
    assert Notice.objects.get().read_at is not None


def test_a_kind_turned_off_by_email_still_shows_as_a_notice(client, submission):
    client.force_login(submission.submitter)
    kept = [kind for kind in Notice.Kind.values if kind != "approved"]
    client.post(reverse("accounts:notices_email"), {"email_kinds": kept})

    notifications.queue(submission.pk, "approved")
    notifications.queue(submission.pk, "rejected")

    assert [m.subject for m in mail.outbox if "approved" in m.subject] == []
    assert any("rejected" in m.subject for m in mail.outbox)
    assert Notice.objects.filter(user=submission.submitter).count() == 2


def test_notices_are_private(client, submission, make_user):
    notices.notify(users=[submission.submitter], kind="approved", text="Secret approval", link="/")
    client.force_login(make_user("other@example.org"))

    assert "Secret approval" not in client.get(reverse("accounts:notices")).content.decode()
