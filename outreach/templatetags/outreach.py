"""Template pieces other apps' pages include: the newsletter block on the volunteer profile."""

from django import template
from django.utils.translation import gettext

from outreach.services import subscriptions

register = template.Library()


@register.inclusion_tag("outreach/profile_newsletter.html", takes_context=True)
def newsletter_profile_block(context):
    user = context["request"].user
    subscription = subscriptions.subscription_for_user(user) if user.is_authenticated else None
    return {
        "subscription": subscription,
        "csrf_token": context.get("csrf_token"),
        "user": user,
        "consent_text": gettext(subscriptions.CONSENT_TEXT),
    }


@register.simple_tag
def newsletter_consent_text() -> str:
    """The consent sentence beside every sign-up form, translated (its English text is stored with the sign-up)."""
    return gettext(subscriptions.CONSENT_TEXT)
