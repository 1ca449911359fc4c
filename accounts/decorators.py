"""Access rules for pages: accounts.permissions as view decorators (sign-in, verified email, onboarding)."""

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from .permissions import (
    SECOND_FACTOR_MESSAGE,
    has_verified_email,
    is_reviewer,
    is_staff_member,
    needs_onboarding,
    needs_second_factor,
)

__all__ = ["has_verified_email", "reviewer_required", "staff_required", "verified_required", "volunteer_required"]

View = Callable[..., HttpResponseBase]


def _requiring(
    test: Callable[[Any], bool],
    refuse: Callable[[HttpRequest], HttpResponseBase],
    *,
    first: Callable[[View], View] = login_required,
) -> Callable[[View], View]:
    """A decorator: `first`'s rule, then the view runs only when `test(request.user)` holds; otherwise
    `refuse(request)` answers (a redirect, or it raises PermissionDenied)."""

    def decorator(view: View) -> View:
        @first
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                return refuse(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _confirm_email_first(request: HttpRequest) -> HttpResponseBase:
    messages.warning(request, gettext("Please confirm your email address first: we sent you a link."))
    return redirect("account_email")


def _onboard_first(request: HttpRequest) -> HttpResponseBase:
    messages.info(request, gettext("Tell us which countries you cover and what you can do first."))
    return redirect(f"{redirect('accounts:onboarding').url}?next={request.path}")


def _second_factor_first(request: HttpRequest) -> HttpResponseBase:
    messages.warning(request, gettext(SECOND_FACTOR_MESSAGE))
    return redirect("mfa_activate_totp")


def _deny(reason: Promise) -> Callable[[HttpRequest], NoReturn]:
    def refuse(request: HttpRequest) -> NoReturn:
        raise PermissionDenied(reason)

    return refuse


# Signed in with a verified email address (onboarding may still be pending).
verified_required = _requiring(has_verified_email, _confirm_email_first)

# `can_upload` / `can_propose_source`: a verified volunteer who has finished onboarding (reviewers and
# staff need no onboarding); others are sent to the onboarding page first.
volunteer_required = _requiring(lambda user: not needs_onboarding(user), _onboard_first, first=verified_required)

# Reviewers and staff set up a second factor before anything else of theirs (`needs_second_factor`).
second_factor_required = _requiring(
    lambda user: not needs_second_factor(user), _second_factor_first, first=verified_required
)

reviewer_required = _requiring(
    is_reviewer, _deny(gettext_lazy("Only reviewers can do this.")), first=second_factor_required
)
staff_required = _requiring(
    is_staff_member, _deny(gettext_lazy("Only staff can do this.")), first=second_factor_required
)
