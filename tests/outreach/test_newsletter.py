"""Newsletter: double opt-in, no enumeration, unsubscribe links and headers, staff composing and sending."""
import re
import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from outreach.models import Newsletter, NewsletterDelivery, NewsletterSubscription
from outreach.services import newsletter

pytestmark = pytest.mark.django_db
S = NewsletterSubscription.Status


def _signup(client, capture, email, source_page="/about/"):
    with capture(execute=True):
        return client.post(reverse("outreach:subscribe"),
                           {"email": email, "consent": "on", "source_page": source_page, "website": ""})


def _link(body: str, name: str) -> str:
    match = re.search(rf"https?://\S+/newsletter/{name}/[^/\s]+/", body)
    assert match, body
    return urlsplit(match.group(0)).path


def _confirmed(email):
    now = newsletter.timezone.now()
    return NewsletterSubscription.objects.create(
        email=email, status=S.CONFIRMED, consent_text=newsletter.CONSENT_TEXT, consented_at=now, confirmed_at=now
    )


def _issue(subject="March update", body="## New sources\n\nItaly's **ministry** feed is back."):
    issue = Newsletter(subject=subject, body_markdown=body)
    return newsletter.save_issue(newsletter=issue)


def _send(capture, issue):
    with capture(execute=True):
        return newsletter.start_sending(newsletter=issue)


def test_signup_mails_only_a_link_which_confirms_the_address(client, mailoutbox, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks, "Reader@Example.org ")
    assert response.status_code == 302
    subscription = NewsletterSubscription.objects.get(email="reader@example.org")
    assert subscription.status == S.PENDING
    assert subscription.source_page == "/about/" and subscription.consent_text == newsletter.CONSENT_TEXT
    assert subscription.consented_at is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["reader@example.org"]
    link = _link(mailoutbox[0].body, "confirm")

    assert client.get(link).status_code == 200  # a page with a button: mail scanners do not confirm
    assert NewsletterSubscription.objects.get(pk=subscription.pk).status == S.PENDING
    response = client.post(link)
    assert response.status_code == 200 and b"You are subscribed" in response.content
    subscription.refresh_from_db()
    assert subscription.status == S.CONFIRMED and subscription.confirmed_at is not None


def test_tampered_confirmation_link_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks, "reader@example.org")
    link = _link(mailoutbox[0].body, "confirm")
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post(reverse("outreach:confirm", args=[tampered]))
    assert response.status_code == 400 and b"not valid" in response.content
    assert NewsletterSubscription.objects.get().status == S.PENDING


def test_expired_confirmation_link_is_refused(client, settings):
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 3 * 24 * 3600
    subscription = NewsletterSubscription.objects.create(
        email="late@example.org", consent_text="x", consented_at=newsletter.timezone.now()
    )
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 4 * 24 * 3600):
        link = urlsplit(newsletter.confirmation_url(subscription)).path
    response = client.post(link)
    assert response.status_code == 400 and b"expired" in response.content
    subscription.refresh_from_db()
    assert subscription.status == S.PENDING


def test_a_pending_address_is_never_mailed_a_newsletter(mailoutbox, django_capture_on_commit_callbacks):
    _confirmed("yes@example.org")
    NewsletterSubscription.objects.create(email="pending@example.org", consent_text="x",
                                          consented_at=newsletter.timezone.now())
    NewsletterSubscription.objects.create(email="gone@example.org", status=S.UNSUBSCRIBED, consent_text="x",
                                          consented_at=newsletter.timezone.now())
    assert _send(django_capture_on_commit_callbacks, _issue()) == 1
    assert [m.to for m in mailoutbox] == [["yes@example.org"]]


def test_same_response_for_a_known_and_an_unknown_address(client, mailoutbox, django_capture_on_commit_callbacks):
    _confirmed("known@example.org")
    known = _signup(client, django_capture_on_commit_callbacks, "known@example.org")
    unknown = _signup(client, django_capture_on_commit_callbacks, "unknown@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    page_known = csrf.sub(b"", client.get(known["Location"]).content)
    page_unknown = csrf.sub(b"", client.get(unknown["Location"]).content)
    assert page_known == page_unknown
    # The confirmed address is not mailed again; only the new one gets its link.
    assert [m.to for m in mailoutbox] == [["unknown@example.org"]]


def test_signing_up_again_while_pending_does_not_flood_the_address(client, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    for _ in range(3):
        _signup(client, django_capture_on_commit_callbacks, "pending@example.org")
    assert len(mailoutbox) == 1


def test_newsletter_mail_has_one_click_unsubscribe_headers_and_sanitised_html(mailoutbox,
                                                                             django_capture_on_commit_callbacks):
    _confirmed("reader@example.org")
    _send(django_capture_on_commit_callbacks,
          _issue(body="Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold** <img src=x onerror=alert(3)>"))
    message = mailoutbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://\S+/newsletter/unsubscribe/\S+/>", message.extra_headers["List-Unsubscribe"])
    html = message.alternatives[0][0]
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert _link(message.body, "unsubscribe") in html


def test_unsubscribe_link_from_the_mail_works_without_login_and_twice(client, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    subscription = _confirmed("reader@example.org")
    _send(django_capture_on_commit_callbacks, _issue())
    link = _link(mailoutbox[0].body, "unsubscribe")
    assert client.get(link).status_code == 200
    assert NewsletterSubscription.objects.get(pk=subscription.pk).status == S.CONFIRMED
    first = client.post(link)
    second = client.post(link)
    assert first.status_code == second.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == S.UNSUBSCRIBED and subscription.unsubscribed_at is not None


def test_list_unsubscribe_post_one_click_needs_no_csrf_token_or_login(mailoutbox, django_capture_on_commit_callbacks):
    subscription = _confirmed("reader@example.org")
    _send(django_capture_on_commit_callbacks, _issue())
    url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    mail_provider = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = mail_provider.post(urlsplit(url).path, data="List-Unsubscribe=One-Click",
                                      content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == S.UNSUBSCRIBED


def test_unsubscribed_address_gets_no_later_issue(mailoutbox, django_capture_on_commit_callbacks):
    subscription = _confirmed("reader@example.org")
    newsletter.unsubscribe(token=urlsplit(newsletter.unsubscribe_url(subscription)).path.rstrip("/").rsplit("/", 1)[1])
    _send(django_capture_on_commit_callbacks, _issue())
    assert mailoutbox == []


def test_volunteer_subscribes_and_unsubscribes_from_the_profile(client, make_user):
    user = make_user("vol@example.org")
    client.force_login(user)
    client.post(reverse("accounts:onboarding"), {})  # harmless if onboarding already done
    client.post(reverse("outreach:profile_newsletter"), {"action": "subscribe"})
    assert NewsletterSubscription.objects.get(email="vol@example.org").status == S.CONFIRMED
    client.post(reverse("outreach:profile_newsletter"), {"action": "unsubscribe"})
    assert NewsletterSubscription.objects.get(email="vol@example.org").status == S.UNSUBSCRIBED


def test_staff_writes_previews_tests_and_sends_an_issue(client, make_user, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    staff = make_user("staff@example.org", role="staff")
    for i in range(3):
        _confirmed(f"r{i}@example.org")
    client.force_login(staff)
    response = client.post(reverse("outreach:newsletter_new"),
                           {"subject": "April", "body_markdown": "# Hello\n\n*New* data for **Italy**."})
    issue = Newsletter.objects.get()
    assert response["Location"] == reverse("outreach:newsletter_detail", args=[issue.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "<h1>Hello</h1>" in preview and "<em>New</em>" in preview

    client.post(reverse("outreach:newsletter_test", args=[issue.pk]))
    assert [m.to for m in mailoutbox] == [["staff@example.org"]] and mailoutbox[0].subject == "[TEST] April"

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
    _confirmed("reader@example.org")
    issue = _issue()
    _send(django_capture_on_commit_callbacks, issue)
    with pytest.raises(newsletter.AlreadySent):
        _send(django_capture_on_commit_callbacks, issue)
    assert len(mailoutbox) == 1


def test_resume_after_a_crash_mails_only_those_not_marked_sent(mailoutbox, django_capture_on_commit_callbacks):
    for i in range(6):
        _confirmed(f"r{i}@example.org")
    issue = _issue()
    with django_capture_on_commit_callbacks(execute=False):  # the "worker" died before running any batch
        newsletter.start_sending(newsletter=issue)
    rows = list(NewsletterDelivery.objects.filter(newsletter=issue).order_by("pk"))
    now = newsletter.timezone.now()
    NewsletterDelivery.objects.filter(pk__in=[r.pk for r in rows[:3]]).update(status="sent", sent_at=now)
    NewsletterDelivery.objects.filter(pk=rows[3].pk).update(status="sending", claimed_at=now)  # in flight
    with django_capture_on_commit_callbacks(execute=True):
        newsletter.resume(newsletter_id=issue.pk)  # the claim is younger than the lease: left alone
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.email for r in rows[4:])
    with django_capture_on_commit_callbacks(execute=True):
        newsletter.resume(newsletter_id=issue.pk, stale_after=newsletter.timedelta(0))
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.email for r in rows[3:])
    issue.refresh_from_db()
    assert issue.status == Newsletter.Status.SENT


def test_running_the_same_batch_twice_mails_nobody_twice(mailoutbox, django_capture_on_commit_callbacks):
    for i in range(4):
        _confirmed(f"r{i}@example.org")
    issue = _issue()
    with django_capture_on_commit_callbacks(execute=False):
        newsletter.start_sending(newsletter=issue)
    ids = list(NewsletterDelivery.objects.values_list("pk", flat=True))
    assert newsletter.send_batch(newsletter_id=issue.pk, delivery_ids=ids) == 4
    assert newsletter.send_batch(newsletter_id=issue.pk, delivery_ids=ids) == 0
    assert len(mailoutbox) == 4


def test_a_backend_failure_is_recorded_on_the_recipient_and_can_be_retried(mailoutbox, settings,
                                                                           django_capture_on_commit_callbacks):
    _confirmed("reader@example.org")
    issue = _issue()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("connection refused")):
        _send(django_capture_on_commit_callbacks, issue)
    delivery = NewsletterDelivery.objects.get()
    assert delivery.status == "failed" and "connection refused" in delivery.error
    with django_capture_on_commit_callbacks(execute=True):
        newsletter.resume(newsletter_id=issue.pk, retry_failed=True)
    assert [m.to for m in mailoutbox] == [["reader@example.org"]]
    assert NewsletterDelivery.objects.get().status == "sent"


def test_staff_export_confirmed_subscribers_as_csv(client, make_user):
    _confirmed("b@example.org")
    _confirmed("=cmd@example.org")
    NewsletterSubscription.objects.create(email="pending@example.org", consent_text="x",
                                          consented_at=newsletter.timezone.now())
    client.force_login(make_user("staff@example.org", role="staff"))
    response = client.get(reverse("outreach:subscribers_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
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
        _confirmed(f"r{i}@example.org")
    issue = _issue()
    with django_capture_on_commit_callbacks(execute=False):  # batches lost with their worker
        newsletter.start_sending(newsletter=issue)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_newsletters() == 0  # recent progress: not stalled yet
    assert mailoutbox == []
    five_minutes_ago = newsletter.timezone.now() - newsletter.timedelta(minutes=5)
    Newsletter.objects.filter(pk=issue.pk).update(last_progress_at=five_minutes_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_newsletters() == 3
    assert len(mailoutbox) == 3
    assert Newsletter.objects.get(pk=issue.pk).status == Newsletter.Status.SENT


def test_staff_see_subscriber_counts_and_the_progress_of_a_running_send(client, make_user,
                                                                         django_capture_on_commit_callbacks):
    client.force_login(make_user("staff@example.org", role="staff"))
    for i in range(3):
        _confirmed(f"r{i}@example.org")
    issue = _issue(subject="Running issue")
    with django_capture_on_commit_callbacks(execute=False):
        newsletter.start_sending(newsletter=issue)
    first = NewsletterDelivery.objects.order_by("pk").first()
    NewsletterDelivery.objects.filter(pk=first.pk).update(status="sent")
    listing = client.get(reverse("outreach:newsletters")).content.decode()
    assert "Confirmed: 3" in listing and "Running issue" in listing
    detail = client.get(reverse("outreach:newsletter_detail", args=[issue.pk])).content.decode()
    assert "1 sent, 0 failed, 0 skipped, 2 waiting, of 3." in detail and "outreach-progress.js" in detail


def test_footer_form_is_on_every_page_with_csrf_honeypot_and_the_stored_consent_text(client, reference_data):
    for url in ("/", "/about/", reverse("outreach:coverage"), reverse("outreach:support")):
        html = client.get(url).content.decode()
        footer = html[html.index('id="footer-newsletter"'):]
        assert f'action="{reverse("outreach:subscribe")}"' in html
        assert 'name="csrfmiddlewaretoken"' in footer and 'name="website"' in footer
        assert newsletter.CONSENT_TEXT in footer


def test_an_address_unsubscribed_while_the_send_is_queued_is_skipped(mailoutbox, django_capture_on_commit_callbacks):
    leaving = _confirmed("leaving@example.org")
    _confirmed("staying@example.org")
    issue = _issue()
    with django_capture_on_commit_callbacks(execute=False) as batches:
        newsletter.start_sending(newsletter=issue)
    newsletter.unsubscribe_user(user=mock.Mock(email="leaving@example.org"))
    for batch in batches:
        batch()
    assert [m.to for m in mailoutbox] == [["staying@example.org"]]
    assert NewsletterDelivery.objects.get(subscription=leaving).status == "skipped"
    assert Newsletter.objects.get(pk=issue.pk).status == Newsletter.Status.SENT
