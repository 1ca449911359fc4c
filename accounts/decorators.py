"""Access rules for pages: accounts.permissions as view decorators (sign-in, verified email, onboarding)."""
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase
from django.shortcuts import redirect

from .permissions import has_verified_email, is_reviewer, is_staff_member, needs_onboarding

__all__ = ["has_verified_email", "reviewer_required", "staff_required", "verified_required", "volunteer_required"]

View = Callable[..., HttpResponseBase]


def verified_required(view: View) -> View:
    """Signed in with a verified email address (onboarding may still be pending)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_verified_email(request.user):
            messages.warning(request, "Please confirm your email address first: we sent you a link.")
            return redirect("account_email")
        return view(request, *args, **kwargs)

    return wrapper


def volunteer_required(view: View) -> View:
    """`can_upload` / `can_propose_source`: a verified volunteer who has finished onboarding
    (reviewers and staff need no onboarding); others are sent to the onboarding page first."""

    @verified_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if needs_onboarding(request.user):
            messages.info(request, "Tell us which countries you cover and what you can do first.")
            return redirect(f"{redirect('accounts:onboarding').url}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def reviewer_required(view: View) -> View:
    @verified_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_reviewer(request.user):
            raise PermissionDenied("Only reviewers can do this.")
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: View) -> View:
    @verified_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied("Only staff can do this.")
        return view(request, *args, **kwargs)

    return wrapper
