"""Newsletter issues: unsubscribe headers, sanitised HTML, staff composing and sending, crash-safe batches."""

import re
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import Newsletter, NewsletterDelivery, NewsletterSubscription
from outreach.services import newsletter, subscriptions
from tests.outreach.builders import confirmed_subscriber, link_in, make_issue, send_issue

pytestmark = pytest.mark.django_db
S = NewsletterSubscription.Status


def test_a_pending_address_is_never_mailed_a_newsletter(mailoutbox, django_capture_on_commit_callbacks):
    confirmed_subscriber("yes@example.org")
    NewsletterSubscription.objects.create(email="pending@example.org", consent_text="x", consented_at=timezone.now())
    NewsletterSubscription.objects.create(
        email="gone@example.org", status=S.UNSUBSCRIBED, consent_text="x", consented_at=timezone.now()
    )
    assert send_issue(django_capture_on_commit_callbacks, make_issue()) == 1
    assert [m.to for m in mailoutbox] == [["yes@example.org"]]


def test_newsletter_mail_has_one_click_unsubscribe_headers_and_sanitised_html(
    mailoutbox, django_capture_on_commit_callbacks
):
    confirmed_subscriber("reader@example.org")
    body = "Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold** <img src=x onerror=alert(3)>"
    send_issue(django_capture_on_commit_callbacks, make_issue(body=body))
    message = mailoutbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://\S+/newsletter/unsubscribe/\S+/>", message.extra_headers["List-Unsubscribe"])
    html = message.alternatives[0][0]
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert link_in(message.body, "unsubscribe") in html


def test_unsubscribed_address_gets_no_later_issue(mailoutbox, django_capture_on_commit_callbacks):
    subscription = confirmed_subscriber("reader@example.org")
    token = urlsplit(subscriptions.unsubscribe_url(subscription)).path.rstrip("/").rsplit("/", 1)[1]
    subscriptions.unsubscribe(token=token)
    send_issue(django_capture_on_commit_callbacks, make_issue())
    assert mailoutbox == []


def test_staff_writes_previews_tests_and_sends_an_issue(
    client, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    staff = make_user("staff@example.org", role="staff")
    for i in range(3):
        confirmed_subscriber(f"r{i}@example.org")
    client.force_login(staff)
    response = client.post(
        reverse("outreach:newsletter_new"),
        {"subject": "April", "body_markdown": "# Hello\n\n*New* data for **Italy**."},
    )
    issue = Newsletter.objects.get()
    assert response["Location"] == reverse("outreach:newsletter_detail", args=[issue.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "<h1>Hello</h1>" in preview
    assert "<em>New</em>" in preview

    client.post(reverse("outreach:newsletter_test", args=[issue.pk]))
    assert [m.to for m in mailoutbox] == [["staff@example.org"]]
    assert mailoutbox[0].subject == "[TEST] April"

    client.post(reverse("outreach:newsletter_send", args=[issue.pk]))  # not confirmed: nothing happens
    assert Newsletter.objects.get().status == Newsletter.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outreach:newsletter_send", args=[issue.pk]), {"confirm": "yes"})
    assert sorted(m.to[0] for m in mailoutbox[1:]) == ["r0@example.org", "r1@example.org", "r2@example.org"]
    issue.refresh_from_db()
    assert issue.status == Newsletter.Status.SENT
    progress = client.get(reverse("outreach:newsletter_progress", args=[issue.pk])).json()
    assert (progress["sent"], progress["total"], progress["percent"]) == (3, 3, 100)


def test_an_issue_cannot_be_sent_twice(mailoutbox, django_capture_on_commit_callbacks):
    confirmed_subscriber("reader@example.org")
    issue = make_issue()
    send_issue(django_capture_on_commit_callbacks, issue)
    with pytest.raises(newsletter.AlreadySent):
        send_issue(django_capture_on_commit_callbacks, issue)
    assert len(mailoutbox) == 1


def test_resume_after_a_crash_mails_only_those_not_marked_sent(mailoutbox, django_capture_on_commit_callbacks):
    for i in range(6):
        confirmed_subscriber(f"r{i}@example.org")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=False):  # the "worker" died before running any batch
        newsletter.start_sending(newsletter=issue)
    rows = list(NewsletterDelivery.objects.filter(newsletter=issue).order_by("pk"))
    now = timezone.now()
    NewsletterDelivery.objects.filter(pk__in=[r.pk for r in rows[:3]]).update(status="sent", sent_at=now)
    NewsletterDelivery.objects.filter(pk=rows[3].pk).update(status="sending", claimed_at=now)  # in flight
    with django_capture_on_commit_callbacks(execute=True):
        newsletter.resume(newsletter_id=issue.pk)  # the claim is younger than the lease: left alone
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.email for r in rows[4:])
    with django_capture_on_commit_callbacks(execute=True):
        newsletter.resume(newsletter_id=issue.pk, stale_after=timedelta(0))
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.email for r in rows[3:])
    issue.refresh_from_db()
    assert issue.status == Newsletter.Status.SENT


def test_running_the_same_batch_twice_mails_nobody_twice(mailoutbox, django_capture_on_commit_callbacks):
    for i in range(4):
        confirmed_subscriber(f"r{i}@example.org")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=False):
        newsletter.start_sending(newsletter=issue)
    ids = list(NewsletterDelivery.objects.values_list("pk", flat=True))
    assert newsletter.send_batch(newsletter_id=issue.pk, delivery_ids=ids) == 4
    assert newsletter.send_batch(newsletter_id=issue.pk, delivery_ids=ids) == 0
    assert len(mailoutbox) == 4


def test_a_backend_failure_is_recorded_on_the_recipient_and_can_be_retried(
    mailoutbox, settings, django_capture_on_commit_callbacks
):
    confirmed_subscriber("reader@example.org")
    issue = make_issue()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("connection refused")):
        send_issue(django_capture_on_commit_callbacks, issue)
    delivery = NewsletterDelivery.objects.get()
    assert delivery.status == "failed"
    assert "connection refused" in delivery.error
    with django_capture_on_commit_callbacks(execute=True):
        newsletter.resume(newsletter_id=issue.pk, retry_failed=True)
    assert [m.to for m in mailoutbox] == [["reader@example.org"]]
    assert NewsletterDelivery.objects.get().status == "sent"


def test_staff_export_confirmed_subscribers_as_csv(client, make_user):
    confirmed_subscriber("b@example.org")
    confirmed_subscriber("=cmd@example.org")
    NewsletterSubscription.objects.create(email="pending@example.org", consent_text="x", consented_at=timezone.now())
    client.force_login(make_user("staff@example.org", role="staff"))
    response = client.get(reverse("outreach:subscribers_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("email,confirmed_at")
    emails = [line.split(",")[0] for line in lines[1:]]
    assert emails == ["'=cmd@example.org", "b@example.org"]


def test_volunteers_cannot_export_subscribers_or_open_the_newsletter_tools(client, make_user):
    client.force_login(make_user("vol@example.org"))
    for name in ("outreach:subscribers_csv", "outreach:newsletters", "outreach:newsletter_new", "outreach:inbox"):
        assert client.get(reverse(name)).status_code == 403


def test_beat_resumes_a_send_that_stopped_making_progress(mailoutbox, settings, django_capture_on_commit_callbacks):
    from outreach.tasks import resume_stalled_newsletters

    settings.NEWSLETTER_CLAIM_LEASE_SECONDS = 60
    for i in range(3):
        confirmed_subscriber(f"r{i}@example.org")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=False):  # batches lost with their worker
        newsletter.start_sending(newsletter=issue)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_newsletters() == 0  # recent progress: not stalled yet
    assert mailoutbox == []
    five_minutes_ago = timezone.now() - timedelta(minutes=5)
    Newsletter.objects.filter(pk=issue.pk).update(last_progress_at=five_minutes_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_newsletters() == 3
    assert len(mailoutbox) == 3
    assert Newsletter.objects.get(pk=issue.pk).status == Newsletter.Status.SENT


def test_staff_see_subscriber_counts_and_the_progress_of_a_running_send(
    client, make_user, django_capture_on_commit_callbacks
):
    client.force_login(make_user("staff@example.org", role="staff"))
    for i in range(3):
        confirmed_subscriber(f"r{i}@example.org")
    issue = make_issue(subject="Running issue")
    with django_capture_on_commit_callbacks(execute=False):
        newsletter.start_sending(newsletter=issue)
    first = NewsletterDelivery.objects.order_by("pk").first()
    NewsletterDelivery.objects.filter(pk=first.pk).update(status="sent")
    listing = client.get(reverse("outreach:newsletters")).content.decode()
    assert "Confirmed: 3" in listing
    assert "Running issue" in listing
    detail = client.get(reverse("outreach:newsletter_detail", args=[issue.pk])).content.decode()
    assert "1 sent, 0 failed, 0 skipped, 2 waiting, of 3." in detail
    assert "js/progress.js" in detail


def test_an_address_unsubscribed_while_the_send_is_queued_is_skipped(mailoutbox, django_capture_on_commit_callbacks):
    leaving = confirmed_subscriber("leaving@example.org")
    confirmed_subscriber("staying@example.org")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=False) as batches:
        newsletter.start_sending(newsletter=issue)
    subscriptions.unsubscribe_user(user=mock.Mock(email="leaving@example.org"))
    for batch in batches:
        batch()
    assert [m.to for m in mailoutbox] == [["staying@example.org"]]
    assert NewsletterDelivery.objects.get(subscription=leaving).status == "skipped"
    assert Newsletter.objects.get(pk=issue.pk).status == Newsletter.Status.SENT
