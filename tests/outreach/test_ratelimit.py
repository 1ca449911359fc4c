"""Honeypot and rate limits on the newsletter sign-up, and the rate parser behind them."""

import pytest
from django.urls import reverse

from outreach.models import NewsletterSubscription
from outreach.services.ratelimit import allow, parse_rate

SIGNUP = {"email": "reader@example.org", "consent": "on", "source_page": "/", "website": ""}


@pytest.mark.django_db
def test_signup_honeypot_answers_like_success_but_stores_and_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outreach:subscribe"), {**SIGNUP, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:subscribe_done")
    assert not NewsletterSubscription.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_signup_is_rate_limited_per_client_address(client, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.PUBLIC_FORM_RATE = "3/h"
    codes = []
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            codes.append(
                client.post(reverse("outreach:subscribe"), {**SIGNUP, "email": f"r{i}@example.org"}).status_code
            )
    assert codes == [302, 302, 302, 429]
    assert NewsletterSubscription.objects.count() == 3
    assert len(mailoutbox) == 3


@pytest.mark.django_db
def test_invalid_signup_shows_the_errors(client):
    response = client.post(reverse("outreach:subscribe"), {**SIGNUP, "email": "nope", "consent": ""})
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert b"This field is required" in response.content
    assert not NewsletterSubscription.objects.exists()


def test_rate_window_counts_each_key_separately():
    assert [allow("t", "a", "2/m") for _ in range(3)] == [True, True, False]
    assert allow("t", "b", "2/m")


@pytest.mark.parametrize(("rate", "expected"), [("10/h", (10, 3600)), ("5/10m", (5, 600)), ("100/d", (100, 86400))])
def test_rates_are_parsed(rate, expected):
    assert parse_rate(rate) == expected


def test_a_malformed_rate_is_a_clear_error():
    with pytest.raises(ValueError, match="Invalid rate"):
        parse_rate("ten per hour")
