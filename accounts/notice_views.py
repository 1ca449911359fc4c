"""The notices page: what happened to your work, newest first; mark them read; choose which kinds
also come by e-mail. Thin views over accounts.notices."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import notices
from .models import Notice, NoticePreference, User


class EmailPreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        choices=Notice.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Also send me an e-mail for"),
    )


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    page = Paginator(notices.notices_of(user), 50).get_page(request.GET.get("page"))
    preference = NoticePreference.objects.filter(user=user).first()
    off = set(preference.email_off) if preference else set()
    form = EmailPreferencesForm(initial={"email_kinds": [kind for kind in Notice.Kind.values if kind not in off]})
    return render(request, "accounts/notices.html", {"page": page, "form": form})


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    notices.mark_all_read(user=cast(User, request.user))
    return redirect("accounts:notices")


@require_POST
@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    form = EmailPreferencesForm(request.POST)
    if form.is_valid():
        notices.set_email_preferences(user=cast(User, request.user), email_kinds=form.cleaned_data["email_kinds"])
        messages.success(request, _("Your e-mail choices are saved; every notice still shows here."))
    return redirect("accounts:notices")
