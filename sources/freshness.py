"""Freshness checks of approved sources' URLs: is the page still there? Fetching, with its guard
against requests to private networks (SSRF), is sources.fetching, shared with the feeds."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.language import in_language_of
from accounts.models import User, VolunteerProfile

from . import fetching
from .fetching import CheckRefused, address_allowed, embeds_ipv4, resolve_checked
from .models import Source

__all__ = ["CheckRefused", "address_allowed", "embeds_ipv4", "resolve_checked"]
logger = logging.getLogger(__name__)


@dataclass
class CheckResult:
    ok: bool
    status: int | None = None
    error: str = ""
    final_url: str = ""


def _follow(method: str, url: str) -> CheckResult:
    outcome = fetching.follow(method, url)
    return CheckResult(ok=outcome.ok, status=outcome.status, error=outcome.error, final_url=outcome.final_url)


def check_url(url: str) -> CheckResult:
    """HEAD first; if the server answers HEAD with an error status (many refuse HEAD), GET."""
    result = _follow("HEAD", url)
    if result.ok or result.status is None:
        return result
    return _follow("GET", url)


def record(*, source_id: int, result: CheckResult) -> bool:
    """Store the result on the source; True when this failure is the one that flags it."""
    now = timezone.now()
    rows = Source.objects.filter(pk=source_id)
    if result.ok:
        rows.update(
            last_checked_at=now, last_check_status=result.status, last_check_error="", consecutive_check_failures=0
        )
        return False
    rows.update(
        last_checked_at=now,
        last_check_status=result.status,
        last_check_error=result.error[:300],
        consecutive_check_failures=F("consecutive_check_failures") + 1,
    )
    failures = rows.values_list("consecutive_check_failures", flat=True).first()
    return failures == Source.FAILING_AFTER


def country_volunteers(country_id: int) -> list[User]:
    """The active volunteers of a country with an e-mail address, one per address, by address."""
    profiles = VolunteerProfile.objects.filter(
        Q(primary_country_id=country_id) | Q(other_countries__id=country_id), user__is_active=True
    ).exclude(user__email="")
    users = User.objects.filter(pk__in=profiles.values("user_id")).order_by("pk")
    by_email = {user.email: user for user in users}
    return [by_email[email] for email in sorted(by_email)]


def country_volunteer_emails(country_id: int) -> list[str]:
    return [user.email for user in country_volunteers(country_id)]


def notify_flagged(*, source: Source) -> int:
    """Tell the volunteers of the source's country that its URL keeps failing; returns mails sent."""
    if source.country_id is None:
        return 0
    people = country_volunteers(source.country_id)
    context = {"source": source, "site_url": settings.SITE_URL}
    with get_connection() as connection:
        for user in people:  # each in their own language
            with in_language_of(user):
                body = render_to_string("sources/email/source_failing.txt", context)
                subject = _("Source not reachable: %(source)s") % {"source": source.name}
            EmailMessage(subject=subject, body=body, to=[user.email], connection=connection).send()
    return len(people)


def check_source(*, source_id: int) -> CheckResult | None:
    """Check one approved source, record the result, and alert its country's volunteers when flagged."""
    source = Source.objects.filter(pk=source_id, status=Source.Status.APPROVED).select_related("country").first()
    if source is None:
        return None
    result = check_url(source.url)
    if record(source_id=source.pk, result=result):
        source.refresh_from_db()
        notify_flagged(source=source)
    return result
