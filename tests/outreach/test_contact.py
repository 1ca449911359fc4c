"""Support page and contact forms: every kind is stored, acknowledged to the sender and notified to staff."""

import pytest
from django.urls import reverse

from outreach.models import ContactNote, ContactRequest

pytestmark = pytest.mark.django_db
FORM = {
    "name": "Ada Lovelace",
    "organisation": "Analytical Institute",
    "email": "Ada@Example.org",
    "message": "We can share hospital admissions for our region.",
    "consent": "on",
    "website": "",
}


def _post(client, capture, kind, **changes):
    with capture(execute=True):
        return client.post(reverse("outreach:contact", args=[kind]), {**FORM, **changes})


def test_support_page_leads_to_a_form_for_every_kind(client):
    page = client.get(reverse("outreach:support")).content.decode()
    for kind in ContactRequest.Kind.values:
        url = reverse("outreach:contact", args=[kind])
        assert url in page
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("kind", ContactRequest.Kind.values)
def test_contact_request_of_each_kind_is_stored_acknowledged_and_notified(
    kind, client, make_user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["team@example.org"]
    make_user("staff@example.org", role="staff")
    response = _post(client, django_capture_on_commit_callbacks, kind)
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:contact_done")
    stored = ContactRequest.objects.get()
    assert (stored.kind, stored.name, stored.email, stored.status) == (kind, "Ada Lovelace", "ada@example.org", "new")
    assert stored.consent_text
    assert stored.acknowledged_at
    assert stored.staff_notified_at
    ack, notice = mailoutbox
    assert ack.to == ["ada@example.org"]
    assert stored.get_kind_display() in ack.subject
    assert sorted(notice.to) == ["staff@example.org", "team@example.org"]
    assert notice.reply_to == ["ada@example.org"]
    assert FORM["message"] in notice.body
    assert reverse("outreach:inbox_detail", args=[stored.pk]) in notice.body


def test_running_the_mail_task_again_sends_nothing_twice(
    client, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    from outreach.tasks import send_contact_emails

    make_user("staff@example.org", role="staff")
    _post(client, django_capture_on_commit_callbacks, "press")
    send_contact_emails(ContactRequest.objects.get().pk)
    assert len(mailoutbox) == 2


def test_invalid_contact_form_shows_errors_and_stores_nothing(client, mailoutbox, django_capture_on_commit_callbacks):
    response = _post(client, django_capture_on_commit_callbacks, "financial", email="not-an-email", consent="")
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert b"This field is required" in response.content
    assert not ContactRequest.objects.exists()
    assert mailoutbox == []


def test_unknown_kind_is_not_found(client):
    assert client.get("/support/bitcoin-mining/").status_code == 404


def test_contact_honeypot_answers_like_success_but_stores_and_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks, "other", website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:contact_done")
    assert not ContactRequest.objects.exists()
    assert mailoutbox == []


def test_contact_form_is_rate_limited_per_address(client, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_FORM_RATE = "2/h"
    codes = [_post(client, django_capture_on_commit_callbacks, "other").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert ContactRequest.objects.count() == 2
    other_client = client.__class__(REMOTE_ADDR="198.51.100.7")
    assert _post(other_client, django_capture_on_commit_callbacks, "other").status_code == 302


def test_staff_inbox_filters_by_kind_and_status(client, make_user):
    client.force_login(make_user("staff@example.org", role="staff"))
    press = ContactRequest.objects.create(
        kind="press", name="Press person", email="p@example.org", message="m", consent_text="c"
    )
    ContactRequest.objects.create(
        kind="cloud", name="Cloud person", email="c@example.org", message="m", consent_text="c", status="closed"
    )
    page = client.get(reverse("outreach:inbox"), {"kind": "press"}).content.decode()
    assert "Press person" in page
    assert "Cloud person" not in page
    page = client.get(reverse("outreach:inbox"), {"status": "closed"}).content.decode()
    assert "Cloud person" in page
    assert "Press person" not in page
    assert reverse("outreach:inbox_detail", args=[press.pk]) in client.get(reverse("outreach:inbox")).content.decode()


def test_staff_assign_change_status_and_add_internal_notes(client, make_user):
    staff = make_user("staff@example.org", role="staff")
    colleague = make_user("colleague@example.org", role="staff")
    client.force_login(staff)
    item = ContactRequest.objects.create(
        kind="financial", name="Sponsor", email="s@example.org", message="m", consent_text="c"
    )
    response = client.post(
        reverse("outreach:inbox_detail", args=[item.pk]),
        {"status": "in_progress", "assignee": colleague.pk, "note": "Called them back."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.assignee) == ("in_progress", colleague)
    note = ContactNote.objects.get(request=item)
    assert note.author == staff
    assert "Called them back." in note.text
    assert "In progress" in note.text
    mine = client.get(reverse("outreach:inbox"), {"assignee": "none"}).content.decode()
    assert "Sponsor" not in mine
    page = client.get(reverse("outreach:inbox_detail", args=[item.pk])).content.decode()
    assert "Called them back." in page


def test_inbox_is_for_staff_only(client, make_user):
    item = ContactRequest.objects.create(kind="press", name="P", email="p@example.org", message="m", consent_text="c")
    assert client.get(reverse("outreach:inbox")).status_code == 302  # anonymous: to the login page
    client.force_login(make_user("reviewer@example.org", role="reviewer"))
    assert client.get(reverse("outreach:inbox")).status_code == 403
    assert client.post(reverse("outreach:inbox_detail", args=[item.pk]), {"status": "closed"}).status_code == 403
    item.refresh_from_db()
    assert item.status == "new"


def test_a_name_with_line_breaks_is_refused_before_it_reaches_a_mail_header(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = _post(client, django_capture_on_commit_callbacks, "press", name="Eve\nBcc: victim@example.org")
    assert response.status_code == 400
    assert b"single line" in response.content
    assert not ContactRequest.objects.exists()
    assert mailoutbox == []
