"""Onboarding after the first sign-in, the profile page, and API token rotation."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from .decorators import verified_required
from .forms import VolunteerProfileForm
from .models import Role, VolunteerProfile
from .services import ensure_groups, rotate_api_token


def _save_profile(request, form) -> VolunteerProfile:
    with transaction.atomic():
        profile = form.save(commit=False)
        profile.user = request.user
        first_time = profile.completed_at is None
        profile.completed_at = profile.completed_at or timezone.now()
        profile.save()
        form.save_m2m()
        if first_time:
            ensure_groups()
            request.user.groups.add(*Group.objects.filter(name=Role.VOLUNTEER))
    return profile


@verified_required
def onboarding(request):
    profile, _ = VolunteerProfile.objects.get_or_create(user=request.user)
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = VolunteerProfileForm(request.POST, instance=profile)
        if form.is_valid():
            _save_profile(request, form)
            messages.success(request, "Welcome aboard! Your volunteer profile is saved.")
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    else:
        if profile.is_complete:
            return redirect(settings.LOGIN_REDIRECT_URL)
        form = VolunteerProfileForm(instance=profile)
    return render(request, "accounts/onboarding.html", {"form": form, "next": next_url})


@verified_required
def profile(request):
    profile, _ = VolunteerProfile.objects.get_or_create(user=request.user)
    if not profile.is_complete and not request.user.is_reviewer:
        return redirect("accounts:onboarding")
    if request.method == "POST":
        form = VolunteerProfileForm(request.POST, instance=profile)
        if form.is_valid():
            _save_profile(request, form)
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    else:
        form = VolunteerProfileForm(instance=profile)
    new_token = request.session.pop("new_api_token", None)
    context = {
        "form": form,
        "profile": profile,
        "has_token": Token.objects.filter(user=request.user).exists(),
        "new_token": new_token,
        "scope": getattr(request.user, "reviewer_scope", None),
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@verified_required
def rotate_token(request):
    """Create or replace the API token; it is shown once, on the next page view."""
    request.session["new_api_token"] = rotate_api_token(request.user)
    messages.success(request, "New API token created. Copy it now: it will not be shown again.")
    return redirect("accounts:profile")
