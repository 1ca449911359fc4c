"""The admin asks for a second factor too: staff without one are sent to set it up first; a signed-in
person's pages are in their profile's language."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from .language import profile_language
from .permissions import SECOND_FACTOR_MESSAGE, is_staff_member, needs_second_factor


class SecondFactorForAdminMiddleware:
    """Every admin page but sign-out answers a staff member without a second factor with a redirect to
    the set-up page (the same rule as the review pages: `accounts.permissions.needs_second_factor`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self._in_admin(request.path) and is_staff_member(request.user) and needs_second_factor(request.user):
            messages.warning(request, gettext(SECOND_FACTOR_MESSAGE))
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _in_admin(path: str) -> bool:
        return path.startswith(reverse("admin:index")) and path != reverse("admin:logout")


class UserLanguageMiddleware:
    """A signed-in person's profile language wins over the switcher's cookie and the browser's
    Accept-Language (which LocaleMiddleware, placed before, has already applied). Blank: those decide."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        chosen = profile_language(request.user)
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen  # as LocaleMiddleware sets it
        return self.get_response(request)
