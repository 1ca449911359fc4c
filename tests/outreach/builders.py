"""Small builders for outreach tests: sign-ups through the page, confirmed addresses, issues and sends."""

import re
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import timezone

from outreach.models import Newsletter, NewsletterSubscription
from outreach.services import newsletter, subscriptions

S = NewsletterSubscription.Status


def sign_up(client, capture, email, source_page="/about/"):
    with capture(execute=True):
        return client.post(
            reverse("outreach:subscribe"), {"email": email, "consent": "on", "source_page": source_page, "website": ""}
        )


def link_in(body: str, name: str) -> str:
    match = re.search(rf"https?://\S+/newsletter/{name}/[^/\s]+/", body)
    assert match, body
    return urlsplit(match.group(0)).path


def confirmed_subscriber(email):
    now = timezone.now()
    return NewsletterSubscription.objects.create(
        email=email, status=S.CONFIRMED, consent_text=subscriptions.CONSENT_TEXT, consented_at=now, confirmed_at=now
    )


def make_issue(subject="March update", body="## New sources\n\nItaly's **ministry** feed is back."):
    issue = Newsletter(subject=subject, body_markdown=body)
    return newsletter.save_issue(newsletter=issue)


def send_issue(capture, issue):
    with capture(execute=True):
        return newsletter.start_sending(newsletter=issue)
