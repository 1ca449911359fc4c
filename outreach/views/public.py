"""Public outreach pages: newsletter sign-up and links, support and contact, directory, coverage, next steps.

Staff tools (inbox, newsletter issues) are in outreach.views.staff.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import verified_required, volunteer_required
from accounts.models import Skill
from accounts.selectors import country_choices, known_skill, volunteer_directory

from ..forms import ContactForm, SubscribeForm
from ..models import ContactRequest
from ..regions import REGION_NAMES
from ..services import contact, coverage, subscriptions
from ..services.next_steps import for_volunteer as next_steps_for
from ..services.ratelimit import allow_request


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/rate_limited.html", status=429)


def _safe_path(request: HttpRequest, path: str) -> str:
    if path and path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}):
        return path[:300]
    return ""


# --- newsletter (public) ---------------------------------------------------------------------------


@require_GET
def newsletter_page(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/newsletter.html", {"form": SubscribeForm(initial={"source_page": request.path})})


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """Same answer for a new, pending, confirmed or unsubscribed address: no enumeration."""
    if not allow_request(request, "newsletter"):
        return _rate_limited(request)
    form = SubscribeForm(request.POST)
    if form.is_bot():
        return redirect("outreach:subscribe_done")
    if not form.is_valid():
        return render(request, "outreach/newsletter.html", {"form": form}, status=400)
    subscriptions.subscribe(
        email=form.cleaned_data["email"],
        source_page=_safe_path(request, form.cleaned_data["source_page"]) or request.path,
    )
    return redirect("outreach:subscribe_done")


@require_GET
def subscribe_done(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/subscribe_done.html")


def _token_link(request: HttpRequest, token: str, *, ask: str, act: Callable[..., object], done: str) -> HttpResponse:
    """A signed link from a mail: GET shows a button (mail scanners follow links); the POST acts."""
    if request.method == "GET":
        return render(request, ask, {"token": token})
    try:
        act(token=token)
    except subscriptions.InvalidToken as exc:
        return render(request, "outreach/link_invalid.html", {"error": str(exc)}, status=400)
    return render(request, done)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _token_link(
        request, token, ask="outreach/confirm.html", act=subscriptions.confirm, done="outreach/confirmed.html"
    )


@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers without a CSRF token; the signed link is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _token_link(
        request,
        token,
        ask="outreach/unsubscribe.html",
        act=subscriptions.unsubscribe,
        done="outreach/unsubscribed.html",
    )


@require_POST
@verified_required
def profile_newsletter(request: HttpRequest) -> HttpResponse:
    if request.POST.get("action") == "unsubscribe":
        subscriptions.unsubscribe_user(user=request.user)
        messages.success(request, _("You are unsubscribed from the newsletter."))
    else:
        subscriptions.subscribe_user(user=request.user)
        messages.success(request, _("You are subscribed to the newsletter."))
    return redirect("accounts:profile")


# --- support and contact ---------------------------------------------------------------------------


def _kinds() -> list[tuple[str, str, str]]:
    return [(kind, str(kind.label), str(contact.KIND_DESCRIPTIONS[kind])) for kind in ContactRequest.Kind]


@require_GET
def support(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/support.html", {"kinds": _kinds()})


@require_http_methods(["GET", "POST"])
def contact_form(request: HttpRequest, kind: str) -> HttpResponse:
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
            contact.submit(
                kind=kind,
                name=data["name"],
                organisation=data["organisation"],
                email=data["email"],
                message=data["message"],
            )
            return redirect("outreach:contact_done")
    else:
        form = ContactForm()
    context = {"form": form, "kind": kind, "description": contact.KIND_DESCRIPTIONS[kind]}
    return render(request, "outreach/contact.html", context, status=400 if form.errors else 200)


@require_GET
def contact_done(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/contact_done.html")


# --- volunteer directory ---------------------------------------------------------------------------


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    skill = known_skill(request.GET.get("skill", ""))
    country_key = request.GET.get("country", "").upper()
    context = {
        "groups": volunteer_directory(skill=skill, country_key=country_key),
        "skills": Skill.choices,
        "skill": skill,
        "skill_label": Skill(skill).label if skill else "",
        "country_key": country_key,
        "countries": country_choices(),
    }
    return render(request, "outreach/directory.html", context)


# --- coverage ----------------------------------------------------------------------------------------


@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region", "")
    region = region if region in REGION_NAMES else ""
    status = request.GET.get("status", "")
    status = status if status in coverage.Status.values else ""
    sort = request.GET.get("sort", "status")
    sort = sort if sort in coverage.SORTS else "status"
    descending = request.GET.get("dir") == "desc"
    page = coverage.overview(region=region, status=status, sort=sort, descending=descending)
    return render(
        request,
        "outreach/coverage.html",
        {
            "page": page,
            "rows": page.rows,
            "regions": REGION_NAMES,
            "region": region,
            "status": status,
            "sort": sort,
            "descending": descending,
            "statuses": coverage.Status.choices,
            "definitions": [(st, coverage.STATUS_HELP[st]) for st in coverage.Status],
            "failing_sources": coverage.failing_sources(),
        },
    )


# --- volunteers ---------------------------------------------------------------------------------------


@volunteer_required
@require_GET
def next_steps(request: HttpRequest) -> HttpResponse:
    """Where a volunteer lands after onboarding and sign-in: what to do next for their countries."""
    profile = getattr(request.user, "profile", None)
    countries = next_steps_for(profile) if profile is not None else []
    return render(request, "outreach/next_steps.html", {"countries": countries})
