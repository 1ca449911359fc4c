"""Staff outreach tools: the contact inbox and the newsletter (write, test, send, follow, export subscribers)."""

import csv
from collections.abc import Callable
from functools import wraps
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required
from accounts.models import User

from .. import selectors
from ..forms import ContactUpdateForm, InboxFilterForm, NewsletterForm
from ..models import ContactRequest, Newsletter, NewsletterSubscription
from ..services import contact, newsletter, subscriptions

# --- inbox ------------------------------------------------------------------------------------------


@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    requests = selectors.inbox(user=request.user, **filters)
    return render(
        request,
        "outreach/staff/inbox.html",
        {
            "form": form,
            "requests": requests[:500],
            "counts": selectors.inbox_counts(),
            "statuses": ContactRequest.Status.choices,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ContactRequest.objects.select_related("assignee"), pk=pk)
    if request.method == "POST":
        form = ContactUpdateForm(request.POST)
        if form.is_valid():
            contact.update(
                request=item,
                by=request.user,
                status=form.cleaned_data["status"],
                assignee=form.cleaned_data["assignee"],
                assign=True,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Saved."))
            return redirect("outreach:inbox_detail", pk=item.pk)
    else:
        form = ContactUpdateForm(initial={"status": item.status, "assignee": item.assignee})
    return render(
        request,
        "outreach/staff/inbox_detail.html",
        {
            "item": item,
            "form": form,
            "notes": item.notes.select_related("author"),
        },
    )


# --- newsletter -------------------------------------------------------------------------------------


@staff_required
@require_GET
def newsletters(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "outreach/staff/newsletters.html",
        {
            "issues": selectors.recent_issues(),
            "counts": selectors.subscriber_counts(),
            "Status": NewsletterSubscription.Status,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def newsletter_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = cast(User, request.user)  # staff_required let only a signed-in staff member through
    issue = get_object_or_404(Newsletter, pk=pk) if pk else Newsletter(created_by=user)
    if issue.status != Newsletter.Status.DRAFT:
        return redirect("outreach:newsletter_detail", pk=issue.pk)
    form = NewsletterForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        issue = newsletter.save_issue(newsletter=form.save(commit=False))
        messages.success(request, _("Saved. Check the preview, send a test to yourself, then send."))
        return redirect("outreach:newsletter_detail", pk=issue.pk)
    return render(request, "outreach/staff/newsletter_edit.html", {"form": form, "issue": issue})


@staff_required
@require_GET
def newsletter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Newsletter, pk=pk)
    return render(
        request,
        "outreach/staff/newsletter_detail.html",
        {
            "issue": issue,
            "progress": newsletter.progress(newsletter_id=issue.pk),
            "stalled": newsletter.is_stalled(issue),
            "confirmed": selectors.confirmed_subscriber_count(),
            "preview_unsubscribe": settings.SITE_URL + reverse("outreach:newsletter"),
        },
    )


def _on_issue(act: Callable[[HttpRequest, Newsletter], None]) -> Callable[..., HttpResponseBase]:
    """A staff POST on one newsletter issue: `act(request, issue)` does it and says how it went in a
    message; the answer is the issue's page."""

    @staff_required
    @require_POST
    @wraps(act)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        issue = get_object_or_404(Newsletter, pk=pk)
        act(request, issue)
        return redirect("outreach:newsletter_detail", pk=issue.pk)

    return view


@_on_issue
def newsletter_test(request: HttpRequest, issue: Newsletter) -> None:
    user = cast(User, request.user)  # staff_required let only a signed-in staff member through
    newsletter.send_test(newsletter=issue, email=user.email)
    messages.success(request, _("Test sent to %(email)s.") % {"email": user.email})


@_on_issue
def newsletter_send(request: HttpRequest, issue: Newsletter) -> None:
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to send this issue to every subscriber."))
        return
    try:
        count = newsletter.start_sending(newsletter=issue)
    except newsletter.AlreadySent as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("Sending to %(count)s confirmed subscriber.", "Sending to %(count)s confirmed subscribers.", count)
            % {"count": count},
        )


@_on_issue
def newsletter_resume(request: HttpRequest, issue: Newsletter) -> None:
    count = newsletter.resume(newsletter_id=issue.pk, retry_failed=request.POST.get("retry_failed") == "yes")
    messages.success(
        request,
        ngettext(
            "%(count)s recipient dispatched again; nobody already mailed is mailed twice.",
            "%(count)s recipients dispatched again; nobody already mailed is mailed twice.",
            count,
        )
        % {"count": count},
    )


@staff_required
@require_GET
def newsletter_progress(request: HttpRequest, pk: int) -> JsonResponse:
    issue = get_object_or_404(Newsletter, pk=pk)
    p = newsletter.progress(newsletter_id=issue.pk)
    return JsonResponse(
        {
            "status": issue.status,
            "total": p.total,
            "queued": p.queued,
            "sending": p.sending,
            "sent": p.sent,
            "failed": p.failed,
            "skipped": p.skipped,
            "percent": p.percent,
            "stalled": newsletter.is_stalled(issue),
        }
    )


@staff_required
@require_GET
def subscribers_csv(request: HttpRequest) -> HttpResponse:
    """Confirmed subscribers with their consent record, for staff only."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="newsletter-subscribers.csv"'
    csv.writer(response).writerows(subscriptions.subscriber_rows())
    return response
