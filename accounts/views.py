"""Onboarding after the first sign-in, the profile page, and API token rotation. Thin views over accounts.services."""

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from . import selectors, services
from .decorators import verified_required, volunteer_required
from .forms import VolunteerProfileForm
from .language import remember_language
from .models import User
from .permissions import needs_onboarding


@verified_required
def onboarding(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # verified_required let only a signed-in user through
    profile = services.ensure_profile(user)
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = VolunteerProfileForm(request.POST, instance=profile)
        if form.is_valid():
            services.save_profile(user=user, profile=profile, data=form.cleaned_data)
            messages.success(request, _("Welcome aboard! Your volunteer profile is saved."))
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    else:
        if profile.is_complete:
            return redirect(settings.LOGIN_REDIRECT_URL)
        form = VolunteerProfileForm(instance=profile)
    return render(request, "accounts/onboarding.html", {"form": form, "next": next_url})


@verified_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # verified_required let only a signed-in user through
    profile = services.ensure_profile(user)
    if needs_onboarding(request.user):
        return redirect("accounts:onboarding")
    if request.method == "POST":
        form = VolunteerProfileForm(request.POST, instance=profile)
        if form.is_valid():
            services.save_profile(user=user, profile=profile, data=form.cleaned_data)
            messages.success(request, _("Profile saved."))
            return redirect("accounts:profile")
    else:
        form = VolunteerProfileForm(instance=profile)
    new_token = request.session.pop("new_api_token", None)
    context = {
        "form": form,
        "profile": profile,
        "has_token": selectors.has_api_token(request.user),
        "new_token": new_token,
        "scope": getattr(request.user, "reviewer_scope", None),
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@volunteer_required  # permissions.can_use_api_token: the API checks the same rule on every request
def rotate_token(request: HttpRequest) -> HttpResponse:
    """Create or replace the API token; it is shown once, on the next page view."""
    user = cast(User, request.user)  # volunteer_required let only a signed-in user through
    request.session["new_api_token"] = services.rotate_api_token(user)
    messages.success(request, _("New API token created. Copy it now: it will not be shown again."))
    return redirect("accounts:profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher on every page: Django's set_language (a cookie, then back to `next`); a
    signed-in person's choice is also saved to their profile, which wins over the cookie."""
    response = i18n.set_language(request)
    remember_language(request.user, request.POST.get("language"))
    return response
