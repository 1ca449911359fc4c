"""Who may do what, as plain rules on a user: page decorators and API permission classes both ask these.

Rules that also need a submission live where Submission is known (`review.permissions.can_review`)
and build on these.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_noop

# English constants (the API answers them as they are); pages show them translated with gettext().
FINISH_PROFILE_MESSAGE = gettext_noop(
    "Finish your volunteer profile first: tell us which countries you cover and what you can do "
    "(Welcome page, /accounts/welcome/)."
)
SECOND_FACTOR_MESSAGE = gettext_noop(
    "Set up two-factor authentication first: reviewers and staff confirm their sign-in with a code "
    "from an authenticator app before they review or use the admin "
    "(Two-factor authentication page, /accounts/2fa/totp/activate/)."
)


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def has_verified_email(user: Any) -> bool:
    """Signed in with at least one verified email address."""
    return is_signed_in(user) and EmailAddress.objects.filter(user=user, verified=True).exists()


def is_reviewer(user: Any) -> bool:
    """Reviewers and staff moderate submissions (each within their scope)."""
    return is_signed_in(user) and bool(user.is_reviewer)


def is_staff_member(user: Any) -> bool:
    return is_signed_in(user) and bool(user.is_staff)


def has_second_factor(user: Any) -> bool:
    """Signed in and has an authenticator app (TOTP) set up: sign-in asks for its code."""
    return is_signed_in(user) and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_second_factor(user: Any) -> bool:
    """Reviewers and staff (who can change the data) must set up a second factor first; volunteers may opt in."""
    return (is_reviewer(user) or is_staff_member(user)) and not has_second_factor(user)


def needs_onboarding(user: Any) -> bool:
    """A volunteer who has not finished their profile; reviewers and staff need no onboarding."""
    if is_reviewer(user):
        return False
    profile = getattr(user, "profile", None)
    return profile is None or not profile.is_complete


def can_contribute(user: Any) -> bool:
    """A verified email and a finished volunteer profile (reviewers and staff are exempt from the profile)."""
    return has_verified_email(user) and not needs_onboarding(user)


def can_upload(user: Any) -> bool:
    """Upload data files, on the upload page and through the API alike."""
    return can_contribute(user)


def can_propose_source(user: Any) -> bool:
    """Propose an official source (the proposal page's rule)."""
    return can_contribute(user)


def can_use_api_token(user: Any) -> bool:
    """Get an API token on the profile page and use it: the rule of the pages (a verified email and a
    finished profile; reviewers and staff are exempt from the profile)."""
    return can_contribute(user)


def can_moderate(user: Any) -> bool:
    """See the review queue and make decisions (which submissions: `review.permissions.can_review`).

    Only with a second factor set up (`needs_second_factor`; refusals say SECOND_FACTOR_MESSAGE).
    """
    return is_reviewer(user) and not needs_second_factor(user)


def can_retry_merge(user: Any) -> bool:
    return is_staff_member(user) and not needs_second_factor(user)
