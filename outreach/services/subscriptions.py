"""Newsletter subscriptions: double opt-in, signed confirmation and unsubscribe links, profile sign-up.

Only `confirmed` addresses are ever mailed an issue (outreach.services.newsletter sends them). A
sign-up answers the same whatever the address's state, so nobody learns whether it is known.
"""

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from common.spreadsheets import escape_formula
from outreach.models import NewsletterSubscription

# Stored in English with each sign-up (the record of what was agreed); shown translated (CONSENT_LABEL).
CONSENT_TEXT = gettext_noop(
    "I want to receive the COVID-19 Open Data newsletter by email. I can unsubscribe at any time "
    "with the link in every issue."
)
CONSENT_LABEL = gettext_lazy(CONSENT_TEXT)
CONFIRM_SALT = "outreach.newsletter.confirm"
UNSUBSCRIBE_SALT = "outreach.newsletter.unsubscribe"


class InvalidToken(Exception):
    """A confirmation or unsubscribe link that was altered, expired or no longer applies."""


def confirm_max_age() -> int:
    """How long a confirmation link stays valid, in seconds."""
    return settings.NEWSLETTER_CONFIRM_MAX_AGE


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def _token(subscription: NewsletterSubscription, salt: str) -> str:
    return signing.dumps([subscription.pk, _email_digest(subscription.email)], salt=salt, compress=True)


def _load(token: str, salt: str, max_age: int | None) -> NewsletterSubscription:
    try:
        pk, digest = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidToken(_("This link has expired. Please sign up again to get a new one."))
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidToken(_("This link is not valid. Please copy the whole link from the email."))
    subscription = NewsletterSubscription.objects.filter(pk=pk).first()
    if subscription is None or _email_digest(subscription.email) != digest:
        raise InvalidToken(_("This link is not valid any more."))
    return subscription


def confirmation_url(subscription: NewsletterSubscription) -> str:
    return settings.SITE_URL + reverse("outreach:confirm", kwargs={"token": _token(subscription, CONFIRM_SALT)})


def unsubscribe_url(subscription: NewsletterSubscription) -> str:
    return settings.SITE_URL + reverse("outreach:unsubscribe", kwargs={"token": _token(subscription, UNSUBSCRIBE_SALT)})


# --- subscribing -----------------------------------------------------------------------------------


def subscribe(*, email: str, source_page: str = "", consent_text: str = CONSENT_TEXT) -> NewsletterSubscription | None:
    """Record a sign-up and queue the confirmation link when one is due.

    The caller shows the same answer whatever happens here, so nobody can learn whether an address
    is known. A confirmed address gets nothing; a pending one gets the link again at most every
    few minutes; an unsubscribed one starts over as pending.
    """
    from outreach.tasks import send_newsletter_confirmation

    email = normalise_email(email)
    now = timezone.now()
    resend_after = now - timedelta(seconds=settings.NEWSLETTER_CONFIRM_RESEND_SECONDS)
    with transaction.atomic():
        subscription, created = NewsletterSubscription.objects.select_for_update().get_or_create(
            email=email,
            defaults={"consent_text": consent_text, "consented_at": now, "source_page": source_page[:300]},
        )
        if subscription.status == NewsletterSubscription.Status.CONFIRMED:
            return subscription
        recently_sent = subscription.confirmation_sent_at and subscription.confirmation_sent_at > resend_after
        if not created and subscription.status == NewsletterSubscription.Status.PENDING and recently_sent:
            return subscription
        subscription.status = NewsletterSubscription.Status.PENDING
        subscription.consent_text = consent_text
        subscription.consented_at = now
        subscription.source_page = source_page[:300]
        subscription.confirmation_sent_at = now
        subscription.save()
        send_newsletter_confirmation.delay_on_commit(subscription.pk, language=translation.get_language() or "en")
    return subscription


def send_confirmation(*, subscription_id: int, language: str = "en") -> bool:
    """Mail the confirmation link, in `language` (the sign-up page's: the address has no account to say
    its own); the only mail a pending address ever receives."""
    subscription = NewsletterSubscription.objects.filter(
        pk=subscription_id, status=NewsletterSubscription.Status.PENDING
    ).first()
    if subscription is None:
        return False
    context = {"confirm_url": confirmation_url(subscription), "days": max(1, confirm_max_age() // 86400)}
    with translation.override(language):
        subject = _("Please confirm your subscription to the COVID-19 Open Data newsletter")
        body = render_to_string("outreach/email/confirm.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[subscription.email])
    message.send()
    return True


def confirm(*, token: str) -> NewsletterSubscription:
    """Confirm a pending address from its signed, expiring link; confirming twice is fine."""
    subscription = _load(token, CONFIRM_SALT, confirm_max_age())
    if subscription.status == NewsletterSubscription.Status.UNSUBSCRIBED:
        raise InvalidToken(_("This address has unsubscribed since this link was sent. Please sign up again."))
    NewsletterSubscription.objects.filter(pk=subscription.pk, status=NewsletterSubscription.Status.PENDING).update(
        status=NewsletterSubscription.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    subscription.refresh_from_db()
    return subscription


def subscribe_user(*, user: Any, source_page: str = "profile") -> NewsletterSubscription:
    """Subscribe a signed-in user with a verified address: their address is already proven, so the
    consent click confirms at once."""
    email = normalise_email(user.email)
    now = timezone.now()
    subscription, _created = NewsletterSubscription.objects.update_or_create(
        email=email,
        defaults={
            "status": NewsletterSubscription.Status.CONFIRMED,
            "user": user,
            "consent_text": CONSENT_TEXT,
            "consented_at": now,
            "source_page": source_page,
            "confirmed_at": now,
            "unsubscribed_at": None,
        },
    )
    return subscription


def subscription_for_user(user: Any) -> NewsletterSubscription | None:
    return NewsletterSubscription.objects.filter(email=normalise_email(user.email)).first()


def unsubscribe(*, token: str) -> NewsletterSubscription:
    """Unsubscribe from a mail's signed link (no expiry, no login); doing it twice changes nothing."""
    subscription = _load(token, UNSUBSCRIBE_SALT, None)
    return _unsubscribe(subscription)


def unsubscribe_user(*, user: Any) -> NewsletterSubscription | None:
    subscription = subscription_for_user(user)
    return _unsubscribe(subscription) if subscription else None


def _unsubscribe(subscription: NewsletterSubscription) -> NewsletterSubscription:
    NewsletterSubscription.objects.filter(pk=subscription.pk).exclude(
        status=NewsletterSubscription.Status.UNSUBSCRIBED
    ).update(status=NewsletterSubscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    subscription.refresh_from_db()
    return subscription


# --- the staff export --------------------------------------------------------------------------

SUBSCRIBERS_CSV_HEADER = ["email", "confirmed_at", "consented_at", "source_page", "consent_text"]


def subscriber_rows() -> Iterator[list[Any]]:
    """The confirmed subscribers with their consent record, header first, safe to open in a spreadsheet."""
    yield SUBSCRIBERS_CSV_HEADER
    rows = NewsletterSubscription.objects.filter(status=NewsletterSubscription.Status.CONFIRMED).order_by("email")
    for row in rows.values_list(*SUBSCRIBERS_CSV_HEADER).iterator():
        yield [escape_formula(v or "") for v in row]
