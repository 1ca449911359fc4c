"""Outreach pages: newsletter sign-up and links, support and contact, directory, coverage, staff tools."""
import csv

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required, verified_required, volunteer_required
from accounts.models import Skill, VolunteerProfile
from common.spreadsheets import escape_formula
from places.models import Location

from .forms import ContactForm, ContactUpdateForm, InboxFilterForm, NewsletterForm, SubscribeForm
from .models import ContactRequest, Newsletter, NewsletterSubscription
from .regions import REGION_NAMES
from .services import contact, coverage, newsletter
from .services.next_steps import for_volunteer as next_steps_for
from .services.ratelimit import allow_request


def _rate_limited(request):
    return render(request, "outreach/rate_limited.html", status=429)


def _safe_path(request, path: str) -> str:
    if path and path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}):
        return path[:300]
    return ""


# --- newsletter (public) ---------------------------------------------------------------------------

@require_GET
def newsletter_page(request):
    return render(request, "outreach/newsletter.html", {"form": SubscribeForm(initial={"source_page": request.path})})


@require_POST
def subscribe(request):
    """Same answer for a new, pending, confirmed or unsubscribed address: no enumeration."""
    if not allow_request(request, "newsletter"):
        return _rate_limited(request)
    form = SubscribeForm(request.POST)
    if form.is_bot():
        return redirect("outreach:subscribe_done")
    if not form.is_valid():
        return render(request, "outreach/newsletter.html", {"form": form}, status=400)
    newsletter.subscribe(email=form.cleaned_data["email"],
                         source_page=_safe_path(request, form.cleaned_data["source_page"]) or request.path)
    return redirect("outreach:subscribe_done")


@require_GET
def subscribe_done(request):
    return render(request, "outreach/subscribe_done.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners follow links); the POST confirms."""
    if request.method == "GET":
        return render(request, "outreach/confirm.html", {"token": token})
    try:
        newsletter.confirm(token=token)
    except newsletter.InvalidToken as exc:
        return render(request, "outreach/link_invalid.html", {"error": str(exc)}, status=400)
    return render(request, "outreach/confirmed.html")


@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers without a CSRF token; the signed link is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    if request.method == "GET":
        return render(request, "outreach/unsubscribe.html", {"token": token})
    try:
        newsletter.unsubscribe(token=token)
    except newsletter.InvalidToken as exc:
        return render(request, "outreach/link_invalid.html", {"error": str(exc)}, status=400)
    return render(request, "outreach/unsubscribed.html")


@require_POST
@verified_required
def profile_newsletter(request):
    if request.POST.get("action") == "unsubscribe":
        newsletter.unsubscribe_user(user=request.user)
        messages.success(request, "You are unsubscribed from the newsletter.")
    else:
        newsletter.subscribe_user(user=request.user)
        messages.success(request, "You are subscribed to the newsletter.")
    return redirect("accounts:profile")


# --- support and contact ---------------------------------------------------------------------------

def _kinds():
    return [(kind, kind.label, contact.KIND_DESCRIPTIONS[kind]) for kind in ContactRequest.Kind]


@require_GET
def support(request):
    return render(request, "outreach/support.html", {"kinds": _kinds()})


@require_http_methods(["GET", "POST"])
def contact_form(request, kind):
    if kind not in ContactRequest.Kind.values:
        raise Http404("No such kind of request")
    kind = ContactRequest.Kind(kind)
    if request.method == "POST":
        if not allow_request(request, "contact"):
            return _rate_limited(request)
        form = ContactForm(request.POST)
        if form.is_bot():
            return redirect("outreach:contact_done")
        if form.is_valid():
            data = form.cleaned_data
            contact.submit(kind=kind, name=data["name"], organisation=data["organisation"], email=data["email"],
                           message=data["message"])
            return redirect("outreach:contact_done")
    else:
        form = ContactForm()
    context = {"form": form, "kind": kind, "description": contact.KIND_DESCRIPTIONS[kind]}
    return render(request, "outreach/contact.html", context, status=400 if form.errors else 200)


@require_GET
def contact_done(request):
    return render(request, "outreach/contact_done.html")


# --- volunteer directory ---------------------------------------------------------------------------

def _public_name(profile) -> str:
    """Never the email address: the display name, the full name, or nothing identifying."""
    return profile.display_name or profile.user.get_full_name() or "A volunteer"


@require_GET
def directory(request):
    skill = request.GET.get("skill", "")
    skill = skill if skill in Skill.values else ""
    country_key = request.GET.get("country", "").upper()
    profiles = (
        VolunteerProfile.objects.filter(public_listing=True, completed_at__isnull=False, user__is_active=True)
        .select_related("user", "primary_country").prefetch_related("other_countries").order_by("display_name", "pk")
    )
    groups: dict[str, dict] = {}
    for profile in profiles:
        if skill and skill not in profile.skills:
            continue
        countries = [c for c in [profile.primary_country, *profile.other_countries.all()] if c is not None]
        entry = {"name": _public_name(profile), "skills": profile.skill_labels(), "organisation": profile.organisation}
        for country in dict.fromkeys(countries):
            if country_key and country.key != country_key:
                continue
            groups.setdefault(country.key, {"country": country, "volunteers": []})["volunteers"].append(entry)
    context = {
        "groups": sorted(groups.values(), key=lambda g: g["country"].name),
        "skills": Skill.choices, "skill": skill, "skill_label": Skill(skill).label if skill else "",
        "country_key": country_key,
        "countries": Location.objects.filter(level=Location.Level.COUNTRY).order_by("name").values_list("key", "name"),
    }
    return render(request, "outreach/directory.html", context)


# --- coverage ----------------------------------------------------------------------------------------

@require_GET
def coverage_page(request):
    region = request.GET.get("region", "")
    region = region if region in REGION_NAMES else ""
    status = request.GET.get("status", "")
    status = status if status in coverage.Status.values else ""
    sort = request.GET.get("sort", "status")
    sort = sort if sort in coverage.SORTS else "status"
    descending = request.GET.get("dir") == "desc"
    page = coverage.overview(region=region, status=status, sort=sort, descending=descending)
    return render(request, "outreach/coverage.html", {
        "page": page, "rows": page.rows, "regions": REGION_NAMES, "region": region, "status": status,
        "sort": sort, "descending": descending, "statuses": coverage.Status.choices,
        "definitions": [(st, coverage.STATUS_HELP[st]) for st in coverage.Status],
        "failing_sources": coverage.failing_sources(),
    })


# --- staff: inbox ------------------------------------------------------------------------------------

@staff_required
@require_GET
def inbox(request):
    form = InboxFilterForm(request.GET or None)
    requests = ContactRequest.objects.select_related("assignee").annotate(note_count=Count("notes"))
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            requests = requests.filter(kind=data["kind"])
        if data["status"]:
            requests = requests.filter(status=data["status"])
        if data["assignee"] == "me":
            requests = requests.filter(assignee=request.user)
        elif data["assignee"] == "none":
            requests = requests.filter(assignee__isnull=True)
    counts = ContactRequest.objects.aggregate(
        **{s.value: Count("id", filter=Q(status=s)) for s in ContactRequest.Status}
    )
    return render(request, "outreach/staff/inbox.html", {
        "form": form, "requests": requests[:500], "counts": counts, "statuses": ContactRequest.Status.choices,
    })


@staff_required
@require_http_methods(["GET", "POST"])
def inbox_detail(request, pk):
    item = get_object_or_404(ContactRequest.objects.select_related("assignee"), pk=pk)
    if request.method == "POST":
        form = ContactUpdateForm(request.POST)
        if form.is_valid():
            contact.update(request=item, by=request.user, status=form.cleaned_data["status"],
                           assignee=form.cleaned_data["assignee"], assign=True, note=form.cleaned_data["note"])
            messages.success(request, "Saved.")
            return redirect("outreach:inbox_detail", pk=item.pk)
    else:
        form = ContactUpdateForm(initial={"status": item.status, "assignee": item.assignee})
    return render(request, "outreach/staff/inbox_detail.html", {
        "item": item, "form": form, "notes": item.notes.select_related("author"),
    })


# --- staff: newsletter -------------------------------------------------------------------------------

@staff_required
@require_GET
def newsletters(request):
    counts = {s: NewsletterSubscription.objects.filter(status=s).count() for s in NewsletterSubscription.Status}
    return render(request, "outreach/staff/newsletters.html", {
        "issues": Newsletter.objects.all()[:100], "counts": counts,
        "Status": NewsletterSubscription.Status,
    })


@staff_required
@require_http_methods(["GET", "POST"])
def newsletter_edit(request, pk=None):
    issue = get_object_or_404(Newsletter, pk=pk) if pk else Newsletter(created_by=request.user)
    if issue.status != Newsletter.Status.DRAFT:
        return redirect("outreach:newsletter_detail", pk=issue.pk)
    form = NewsletterForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        issue = newsletter.save_issue(newsletter=form.save(commit=False))
        messages.success(request, "Saved. Check the preview, send a test to yourself, then send.")
        return redirect("outreach:newsletter_detail", pk=issue.pk)
    return render(request, "outreach/staff/newsletter_edit.html", {"form": form, "issue": issue})


@staff_required
@require_GET
def newsletter_detail(request, pk):
    issue = get_object_or_404(Newsletter, pk=pk)
    return render(request, "outreach/staff/newsletter_detail.html", {
        "issue": issue, "progress": newsletter.progress(newsletter_id=issue.pk),
        "stalled": newsletter.is_stalled(issue),
        "confirmed": NewsletterSubscription.objects.filter(status=NewsletterSubscription.Status.CONFIRMED).count(),
        "preview_unsubscribe": settings.SITE_URL + reverse("outreach:newsletter"),
    })


@staff_required
@require_POST
def newsletter_test(request, pk):
    issue = get_object_or_404(Newsletter, pk=pk)
    newsletter.send_test(newsletter=issue, email=request.user.email)
    messages.success(request, f"Test sent to {request.user.email}.")
    return redirect("outreach:newsletter_detail", pk=issue.pk)


@staff_required
@require_POST
def newsletter_send(request, pk):
    issue = get_object_or_404(Newsletter, pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm that you want to send this issue to every subscriber.")
        return redirect("outreach:newsletter_detail", pk=issue.pk)
    try:
        count = newsletter.start_sending(newsletter=issue)
    except newsletter.AlreadySent as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Sending to {count} confirmed subscribers.")
    return redirect("outreach:newsletter_detail", pk=issue.pk)


@staff_required
@require_POST
def newsletter_resume(request, pk):
    issue = get_object_or_404(Newsletter, pk=pk)
    count = newsletter.resume(newsletter_id=issue.pk, retry_failed=request.POST.get("retry_failed") == "yes")
    messages.success(request, f"{count} recipients dispatched again; nobody already mailed is mailed twice.")
    return redirect("outreach:newsletter_detail", pk=issue.pk)


@staff_required
@require_GET
def newsletter_progress(request, pk):
    issue = get_object_or_404(Newsletter, pk=pk)
    p = newsletter.progress(newsletter_id=issue.pk)
    return JsonResponse({
        "status": issue.status, "total": p.total, "queued": p.queued, "sending": p.sending, "sent": p.sent,
        "failed": p.failed, "skipped": p.skipped, "percent": p.percent, "stalled": newsletter.is_stalled(issue),
    })


@staff_required
@require_GET
def subscribers_csv(request):
    """Confirmed subscribers with their consent record, for staff only."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="newsletter-subscribers.csv"'
    writer = csv.writer(response)
    writer.writerow(["email", "confirmed_at", "consented_at", "source_page", "consent_text"])
    rows = NewsletterSubscription.objects.filter(status=NewsletterSubscription.Status.CONFIRMED).order_by("email")
    for row in rows.values_list("email", "confirmed_at", "consented_at", "source_page", "consent_text").iterator():
        writer.writerow([escape_formula(v or "") for v in row])
    return response


@volunteer_required
@require_GET
def next_steps(request):
    """Where a volunteer lands after onboarding and sign-in: what to do next for their countries."""
    profile = getattr(request.user, "profile", None)
    countries = next_steps_for(profile) if profile is not None else []
    return render(request, "outreach/next_steps.html", {"countries": countries})
