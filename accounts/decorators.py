"""Access rules for volunteer pages: signed in, email verified, onboarding done."""
from functools import wraps

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def has_verified_email(user) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def verified_required(view):
    """Signed in with a verified email address (onboarding may still be pending)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_verified_email(request.user):
            messages.warning(request, "Please confirm your email address first: we sent you a link.")
            return redirect("account_email")
        return view(request, *args, **kwargs)

    return wrapper


def volunteer_required(view):
    """A verified volunteer who has finished onboarding (reviewers and staff need no onboarding)."""

    @verified_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        profile = getattr(request.user, "profile", None)
        if not request.user.is_reviewer and (profile is None or not profile.is_complete):
            messages.info(request, "Tell us which countries you cover and what you can do first.")
            return redirect(f"{redirect('accounts:onboarding').url}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def reviewer_required(view):
    @verified_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_reviewer:
            raise PermissionDenied("Only reviewers can do this.")
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    @verified_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only staff can do this.")
        return view(request, *args, **kwargs)

    return wrapper
