"""Feeds: who may manage them, when one is due, what its next fetch asks for, and what a fetch's
outcome does to it (success, unchanged, failure, pause), plus trusting and revoking trust.

Turning fetched content into a submission is contributions.feed_runs (contributions sits above us);
the trusted approval of a fetched file is review.trusted.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from celery.schedules import crontab
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notices
from accounts.language import in_language_of
from accounts.models import Notice, Role, User
from accounts.permissions import can_moderate
from common.tasks import dispatch_on_commit

from .models import Feed, Source
from .services import check_url

logger = logging.getLogger(__name__)

INTERVALS = {
    Feed.Schedule.HOURLY: dt.timedelta(hours=1),
    Feed.Schedule.DAILY: dt.timedelta(days=1),
    Feed.Schedule.WEEKLY: dt.timedelta(days=7),
}
FEED_ACCOUNT = "feeds@system.invalid"
# A cron feed not fetched for longer than this is due at once (and the search for a match stops there).
CRON_LOOKAHEAD = dt.timedelta(days=8)


class FeedError(Exception):
    """A change to a feed that is not allowed; the message says why."""


# --- who -------------------------------------------------------------------------------------------


def can_manage(user: Any, source: Source) -> bool:
    """Reviewers whose scope covers the source's country (international sources: all-countries
    reviewers; staff: all) create, edit, trust and pause its feeds."""
    if not can_moderate(user):
        return False
    if user.is_staff:
        return True
    scope = getattr(user, "reviewer_scope", None)
    if scope is None:
        return False
    if scope.all_countries:
        return True
    return source.country_id is not None and scope.countries.filter(pk=source.country_id).exists()


def manageable_countries(user: Any) -> QuerySet[Any] | None:
    """The countries whose feeds `user` manages; None: all of them."""
    if user.is_staff or getattr(getattr(user, "reviewer_scope", None), "all_countries", False):
        return None
    scope = getattr(user, "reviewer_scope", None)
    return scope.countries.all() if scope else Source.objects.none()


def feed_account() -> User:
    """The account feed submissions are filed under: it cannot sign in, and never reviews."""
    user, _created = User.objects.get_or_create(
        username=FEED_ACCOUNT, defaults={"email": "", "is_active": False, "first_name": "Scheduled feed"}
    )
    return user


def reviewers_of(source: Source) -> QuerySet[User]:
    """Active reviewers whose scope covers the source's country (all-countries reviewers included)."""
    covering = Q(reviewer_scope__all_countries=True)
    if source.country_id:
        covering |= Q(reviewer_scope__countries=source.country_id)
    role = Group.objects.filter(name=Role.REVIEWER)
    return User.objects.filter(covering, is_active=True).filter(Q(groups__in=role) | Q(is_staff=True)).distinct()


# --- checks of what reviewers type --------------------------------------------------------------


def cron_schedule(expression: str) -> crontab:
    """Parse "minute hour day-of-month month day-of-week" (ValidationError if it is not that)."""
    parts = expression.split()
    if len(parts) != 5:
        raise ValidationError({"cron": _("Write five fields: minute hour day-of-month month day-of-week.")})
    minute, hour, dom, month, dow = parts
    try:
        schedule = crontab(minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow)
        schedule.minute, schedule.hour  # noqa: B018  (parsed lazily on some versions)
    except Exception as exc:
        raise ValidationError({"cron": _("This is not a cron expression: %(error)s") % {"error": exc}}) from exc
    return schedule


def check_feed(feed: Feed) -> None:
    """ValidationError by field: an http(s) URL whose date pattern, if any, formats; a cron expression
    with the cron schedule; a recipe of the feed's own source."""
    if ("{" in feed.url or "}" in feed.url) and not feed.has_date_pattern:
        raise ValidationError({"url": _("The only pattern a feed's URL may hold is the date pattern, {date:%Y%m%d}.")})
    try:
        url = feed.url_for(dt.date(2020, 3, 1))
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise ValidationError(
            {"url": _("The date pattern must look like {date:%%Y%%m%%d} (%(error)s).") % {"error": exc}}
        ) from exc
    check_url(url)
    if feed.schedule == Feed.Schedule.CRON:
        cron_schedule(feed.cron)
    if feed.recipe_id and feed.recipe and feed.recipe.source_id != feed.source_id:
        raise ValidationError({"recipe": _("Choose a recipe of this feed's source.")})


# --- when ----------------------------------------------------------------------------------------


def _cron_matches(schedule: crontab, moment: dt.datetime) -> bool:
    return (
        moment.minute in schedule.minute
        and moment.hour in schedule.hour
        and moment.day in schedule.day_of_month
        and moment.month in schedule.month_of_year
        and moment.isoweekday() % 7 in schedule.day_of_week
    )


def is_due(feed: Feed, now: dt.datetime | None = None) -> bool:
    """Active, not paused, and its schedule has come round since it was last fetched."""
    if not feed.is_running:
        return False
    now = now or timezone.now()
    last = feed.last_fetched_at
    if last is None:
        return True
    if feed.schedule != Feed.Schedule.CRON:
        return now - last >= INTERVALS[Feed.Schedule(feed.schedule)] - dt.timedelta(minutes=1)
    if now - last > CRON_LOOKAHEAD:
        return True
    schedule = cron_schedule(feed.cron)
    moment = timezone.localtime(last).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    end = timezone.localtime(now)
    while moment <= end:
        if _cron_matches(schedule, moment):
            return True
        moment += dt.timedelta(minutes=1)
    return False


def due_feeds(now: dt.datetime | None = None) -> list[int]:
    running = Feed.objects.filter(status=Feed.Status.ACTIVE, paused=False, source__status=Source.Status.APPROVED)
    return [feed.pk for feed in running if is_due(feed, now)]


def days_to_fetch(feed: Feed, today: dt.date) -> list[dt.date]:
    """A date-pattern feed's next days: the day after the last one fetched up to today (a few at most;
    a new feed starts today). A feed without a pattern has no days ([])."""
    if not feed.has_date_pattern:
        return []
    start = feed.last_date + dt.timedelta(days=1) if feed.last_date else today
    count = min((today - start).days + 1, settings.FEED_MAX_DAYS_PER_RUN)
    return [start + dt.timedelta(days=n) for n in range(max(count, 0))]


# --- outcomes ------------------------------------------------------------------------------------


def record_success(
    *,
    feed_id: int,
    sha256: str = "",
    etag: str = "",
    last_modified: str = "",
    day: dt.date | None = None,
    reset: bool = True,
) -> None:
    """A fetch that worked. The same content (or a 304) starts the failure count again (`reset`); new
    content does once its validation says the file fits (record_usable_file), as a file the recipe
    no longer fits is a failure too."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "last_fetched_at": now,
        "last_success_at": now,
        "etag": etag,
        "last_modified": last_modified,
    }
    if reset:
        fields.update(consecutive_failures=0, last_error="")
    if sha256:
        fields["last_sha256"] = sha256
    if day is not None:
        fields["last_date"] = day
    Feed.objects.filter(pk=feed_id).update(**fields)


def record_usable_file(*, feed_id: int) -> None:
    """A fetched file validated and waits for review (or was approved): the failure count starts again."""
    Feed.objects.filter(pk=feed_id).update(consecutive_failures=0, last_error="")


def record_failure(*, feed_id: int, error: str) -> bool:
    """Count a failed fetch; True when this one paused the feed (then its people are told)."""
    rows = Feed.objects.filter(pk=feed_id)
    rows.update(
        last_fetched_at=timezone.now(), last_error=error[:300], consecutive_failures=F("consecutive_failures") + 1
    )
    reason = f"{Feed.PAUSE_AFTER} fetches failed in a row; the last one: {error}"[:300]
    paused = rows.filter(paused=False, consecutive_failures__gte=Feed.PAUSE_AFTER).update(
        paused=True, paused_reason=reason
    )
    if paused:
        feed = Feed.objects.select_related("source").get(pk=feed_id)
        alert_paused(feed)
    return bool(paused)


def alert_paused(feed: Feed) -> list[int]:
    """Tell the followers and the country's reviewers, in the app and by e-mail; returns who was told."""
    people = list(feed.followers.filter(is_active=True)) + list(reviewers_of(feed.source))
    link = reverse("sources:feed", kwargs={"pk": feed.pk})

    def text() -> str:  # in each person's language
        return _("The feed “%(feed)s” of %(source)s is paused: %(reason)s") % {
            "feed": feed,
            "source": feed.source.name,
            "reason": feed.paused_reason,
        }

    made = notices.notify(users=people, kind=Notice.Kind.FEED_PAUSED, text=text, link=link)
    from .tasks import send_feed_paused_emails  # the tasks call this module: imported when needed

    dispatch_on_commit(send_feed_paused_emails, feed.pk)
    return [notice.user_id for notice in made]


def paused_email_people(feed: Feed) -> list[User]:
    """The followers and reviewers a paused feed's e-mail goes to (one each, by address)."""
    people = {user.pk: user for user in [*feed.followers.filter(is_active=True), *reviewers_of(feed.source)]}
    wanted = [user for user in people.values() if user.email and notices.wants_email(user, Notice.Kind.FEED_PAUSED)]
    by_email = {user.email: user for user in sorted(wanted, key=lambda user: user.pk)}
    return [by_email[email] for email in sorted(by_email)]


def paused_email_recipients(feed: Feed) -> list[str]:
    return [user.email for user in paused_email_people(feed)]


def send_paused_emails(*, feed_id: int) -> int:
    """E-mail everyone a paused feed concerns; returns how many. Nothing when it was resumed meanwhile."""
    feed = Feed.objects.select_related("source").filter(pk=feed_id, paused=True).first()
    if feed is None:
        return 0
    recipients = paused_email_people(feed)
    context = {"feed": feed, "url": settings.SITE_URL + reverse("sources:feed", kwargs={"pk": feed.pk})}
    for user in recipients:  # each in their own language
        with in_language_of(user):
            body = render_to_string("sources/email/feed_paused.txt", context)
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Feed paused: %(feed)s (%(source)s)") % {
                "feed": feed,
                "source": feed.source.name,
            }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return len(recipients)


# --- decisions about a feed --------------------------------------------------------------------


def _require_manager(user: Any, feed: Feed) -> None:
    if not can_manage(user, feed.source):
        raise FeedError(_("Only a reviewer of this source's country can do this."))


@transaction.atomic
def trust(*, feed: Feed, reviewer: Any, reason: str) -> Feed:
    """A standing approval of the feed's pure appends, in the reviewer's name, with their reason."""
    _require_manager(reviewer, feed)
    text = (reason or "").strip()
    if not text:
        raise FeedError(_("Say why this feed can be trusted: the reason is shown with every approval it makes."))
    Feed.objects.filter(pk=feed.pk).update(
        trusted=True, trusted_reason=text, trusted_by=reviewer, trusted_at=timezone.now()
    )
    feed.refresh_from_db()
    return feed


@transaction.atomic
def revoke_trust(*, feed: Feed, reviewer: Any) -> Feed:
    """Any reviewer of the country may revoke: from now on every file goes to the queue."""
    _require_manager(reviewer, feed)
    Feed.objects.filter(pk=feed.pk).update(trusted=False, trusted_reason="", trusted_by=None, trusted_at=None)
    feed.refresh_from_db()
    return feed


@transaction.atomic
def resume(*, feed: Feed, reviewer: Any) -> Feed:
    """Unpause: the failure count starts again."""
    _require_manager(reviewer, feed)
    Feed.objects.filter(pk=feed.pk).update(paused=False, paused_reason="", consecutive_failures=0)
    feed.refresh_from_db()
    return feed


@transaction.atomic
def activate(*, feed: Feed, reviewer: Any) -> Feed:
    """Accept a feed a volunteer proposed: it runs from now on."""
    _require_manager(reviewer, feed)
    Feed.objects.filter(pk=feed.pk).update(status=Feed.Status.ACTIVE)
    feed.refresh_from_db()
    return feed


def save_feed(*, feed: Feed, user: Any, followers: Iterable[Any] = ()) -> Feed:
    """Create or edit a feed (reviewers in scope; a volunteer's new feed is only proposed)."""
    proposing = feed.pk is None and not can_manage(user, feed.source)
    if proposing:
        feed.status = Feed.Status.PROPOSED
        feed.trusted = False
    elif not can_manage(user, feed.source):
        raise FeedError(_("Only a reviewer of this source's country can change its feeds."))
    check_feed(feed)
    with transaction.atomic():
        if feed.pk is None:
            feed.created_by = user
        feed.save()
        if proposing:
            feed.followers.add(user)
        for follower in followers:
            feed.followers.add(follower)
    return feed
