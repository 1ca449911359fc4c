"""Newsletter subscriptions: double opt-in, no enumeration, unsubscribe links, the profile switch, the footer form."""

import re
import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outreach.models import NewsletterSubscription
from outreach.services import subscriptions
from tests.outreach.builders import confirmed_subscriber, link_in, make_issue, send_issue, sign_up

pytestmark = pytest.mark.django_db
S = NewsletterSubscription.Status


def test_signup_mails_only_a_link_which_confirms_the_address(client, mailoutbox, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks, "Reader@Example.org ")
    assert response.status_code == 302
    subscription = NewsletterSubscription.objects.get(email="reader@example.org")
    assert subscription.status == S.PENDING
    assert subscription.source_page == "/about/"
    assert subscription.consent_text == subscriptions.CONSENT_TEXT
    assert subscription.consented_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["reader@example.org"]
    link = link_in(mailoutbox[0].body, "confirm")

    assert client.get(link).status_code == 200  # a page with a button: mail scanners do not confirm
    assert NewsletterSubscription.objects.get(pk=subscription.pk).status == S.PENDING
    response = client.post(link)
    assert response.status_code == 200
    assert b"You are subscribed" in response.content
    subscription.refresh_from_db()
    assert subscription.status == S.CONFIRMED
    assert subscription.confirmed_at is not None


def test_tampered_confirmation_link_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks, "reader@example.org")
    link = link_in(mailoutbox[0].body, "confirm")
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post(reverse("outreach:confirm", args=[tampered]))
    assert response.status_code == 400
    assert b"not valid" in response.content
    assert NewsletterSubscription.objects.get().status == S.PENDING


def test_expired_confirmation_link_is_refused(client, settings):
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 3 * 24 * 3600
    subscription = NewsletterSubscription.objects.create(
        email="late@example.org", consent_text="x", consented_at=timezone.now()
    )
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 4 * 24 * 3600):
        link = urlsplit(subscriptions.confirmation_url(subscription)).path
    response = client.post(link)
    assert response.status_code == 400
    assert b"expired" in response.content
    subscription.refresh_from_db()
    assert subscription.status == S.PENDING


def test_same_response_for_a_known_and_an_unknown_address(client, mailoutbox, django_capture_on_commit_callbacks):
    confirmed_subscriber("known@example.org")
    known = sign_up(client, django_capture_on_commit_callbacks, "known@example.org")
    unknown = sign_up(client, django_capture_on_commit_callbacks, "unknown@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    page_known = csrf.sub(b"", client.get(known["Location"]).content)
    page_unknown = csrf.sub(b"", client.get(unknown["Location"]).content)
    assert page_known == page_unknown
    # The confirmed address is not mailed again; only the new one gets its link.
    assert [m.to for m in mailoutbox] == [["unknown@example.org"]]


def test_signing_up_again_while_pending_does_not_flood_the_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(3):
        sign_up(client, django_capture_on_commit_callbacks, "pending@example.org")
    assert len(mailoutbox) == 1


def test_unsubscribe_link_from_the_mail_works_without_login_and_twice(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = confirmed_subscriber("reader@example.org")
    send_issue(django_capture_on_commit_callbacks, make_issue())
    link = link_in(mailoutbox[0].body, "unsubscribe")
    assert client.get(link).status_code == 200
    assert NewsletterSubscription.objects.get(pk=subscription.pk).status == S.CONFIRMED
    first = client.post(link)
    second = client.post(link)
    assert first.status_code == second.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == S.UNSUBSCRIBED
    assert subscription.unsubscribed_at is not None


def test_list_unsubscribe_post_one_click_needs_no_csrf_token_or_login(mailoutbox, django_capture_on_commit_callbacks):
    subscription = confirmed_subscriber("reader@example.org")
    send_issue(django_capture_on_commit_callbacks, make_issue())
    url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    mail_provider = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = mail_provider.post(
            urlsplit(url).path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == S.UNSUBSCRIBED


def test_volunteer_subscribes_and_unsubscribes_from_the_profile(client, make_user):
    user = make_user("vol@example.org")
    client.force_login(user)
    client.post(reverse("accounts:onboarding"), {})  # harmless if onboarding already done
    client.post(reverse("outreach:profile_newsletter"), {"action": "subscribe"})
    assert NewsletterSubscription.objects.get(email="vol@example.org").status == S.CONFIRMED
    client.post(reverse("outreach:profile_newsletter"), {"action": "unsubscribe"})
    assert NewsletterSubscription.objects.get(email="vol@example.org").status == S.UNSUBSCRIBED


def test_footer_form_is_on_every_page_with_csrf_honeypot_and_the_stored_consent_text(client, reference_data):
    for url in ("/", "/about/", reverse("outreach:coverage"), reverse("outreach:support")):
        html = client.get(url).content.decode()
        footer = html[html.index('id="footer-newsletter"') :]
        assert f'action="{reverse("outreach:subscribe")}"' in html
        assert 'name="csrfmiddlewaretoken"' in footer
        assert 'name="website"' in footer
        assert subscriptions.CONSENT_TEXT in footer
