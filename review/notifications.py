"""Emails about moderation: to the submitter on each decision and on merge; the reviewers' daily digest.

Each person reads them in their own language (the profile's, else the site's): notices are written,
and e-mails rendered, in it. Sending happens in the worker (`review.tasks.send_submission_email`, mail
queue), queued after the decision commits; a broker outage never fails the decision (the email is then
lost, the decision and its audit row are not).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import notices
from accounts.language import in_language_of
from common.tasks import dispatch
from contributions.models import Submission

from . import selectors
from .models import ReviewAction, ReviewerPreference

logger = logging.getLogger(__name__)

# The e-mail subject of each event (to the submitter; a released claim: to the reviewer who held it).
EVENTS = {
    "approved": _("Your submission #%(pk)s was approved"),
    "rejected": _("Your submission #%(pk)s was rejected"),
    "changes_requested": _("Changes requested on your submission #%(pk)s"),
    "merged": _("Your submission #%(pk)s is now in the dataset (release %(release)s)"),
    "claim_released": _("Submission #%(pk)s changed while you held it: your claim was released"),
}
# The in-app notice of each event (a feed's file: to the feed's followers, so "submission", not "your").
NOTICES = {
    "approved": _("Submission #%(pk)s was approved (%(source)s)"),
    "rejected": _("Submission #%(pk)s was rejected (%(source)s)"),
    "changes_requested": _("Changes requested on submission #%(pk)s (%(source)s)"),
    "merged": _("Submission #%(pk)s is now in the dataset (release %(release)s) (%(source)s)"),
    "claim_released": _("Submission #%(pk)s changed while you held it: your claim was released (%(source)s)"),
}
RELEASED_BY_REVISION = (
    "The submitter sent version {version}: the claim was released. Look at the new version before deciding."
)


def on_claim_released(
    sender: object, *, submission: Submission, holder_id: int, version: int, **kwargs: object
) -> None:
    """contributions.signals.claim_released_by_revision: log the release and tell the reviewer who held it."""
    ReviewAction.objects.create(
        submission=submission,
        actor_id=holder_id,
        action=ReviewAction.Action.RELEASE,
        comment=RELEASED_BY_REVISION.format(version=version),
    )
    queue_on_commit(submission.pk, "claim_released")


def queue(submission_id: int, event: str) -> None:
    """Post the in-app notice for `event` now and send its email from the worker; never raises for a
    broker outage (the notice is there even when the email is lost)."""
    from .tasks import send_submission_email  # the tasks call this module: imported when needed

    post_notice(submission_id, event)
    dispatch(send_submission_email, submission_id, event)


def _released_by(submission: Submission) -> ReviewAction | None:
    return (
        ReviewAction.objects.filter(submission=submission, action=ReviewAction.Action.RELEASE)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def post_notice(submission_id: int, event: str) -> int:
    """The in-app notice of `event`: to the submitter (a feed's file: the feed's followers; a released
    claim: the reviewer who held it). Returns how many were posted."""
    submission = Submission.objects.select_related("submitter", "source", "merged_release", "feed").filter(
        pk=submission_id
    )
    found = submission.first()
    if found is None or event not in EVENTS:
        return 0
    if event == "claim_released":
        released = _released_by(found)
        people = [released.actor] if released and released.actor else []
    elif found.feed is not None:
        people = list(found.feed.followers.filter(is_active=True))
    else:
        people = [found.submitter]
    people = [person for person in people if person.is_active]  # never the feeds' account
    release = found.merged_release
    values = {"pk": found.pk, "release": release.number if release else "?", "source": found.source.name}

    def text() -> str:  # in each person's language
        return NOTICES[event] % values

    link = reverse("review:detail", args=[found.pk]) if event == "claim_released" else found.get_absolute_url()
    return len(notices.notify(users=people, kind=event, text=text, link=link))


def queue_on_commit(submission_id: int, event: str) -> None:
    transaction.on_commit(lambda: queue(submission_id, event))


def send_submission_email(*, submission_id: int, event: str) -> bool:
    """Tell the submitter what happened, with the reviewer's comment when there is one."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    submission = (
        Submission.objects.select_related("submitter", "source", "merged_release").filter(pk=submission_id).first()
    )
    if submission is None:
        return False
    recipient = submission.submitter
    if event == "claim_released":
        released = _released_by(submission)
        if released is None or released.actor is None:
            return False
        recipient = released.actor
    if not recipient.email or not notices.wants_email(recipient, event):
        return False
    decision = {
        "approved": ReviewAction.Action.APPROVE,
        "rejected": ReviewAction.Action.REJECT,
        "changes_requested": ReviewAction.Action.REQUEST_CHANGES,
    }.get(event)
    action = (
        ReviewAction.objects.filter(submission=submission, action=decision).order_by("-created_at", "-pk").first()
        if decision
        else None
    )
    release = submission.merged_release
    page = reverse("review:detail", args=[submission.pk])
    context = {
        "submission": submission,
        "event": event,
        "comment": action.comment if action else "",
        "release": release,
        "url": settings.SITE_URL + (page if event == "claim_released" else submission.get_absolute_url()),
        "recipient": recipient,
    }
    with in_language_of(recipient):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + EVENTS[event] % {
            "pk": submission.pk,
            "release": release.number if release else "?",
        }
        body = render_to_string("review/email/submission_event.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    return True


def send_digests(*, now: datetime | None = None) -> int:
    """Email each opted-in reviewer the submissions that arrived in their scope since their last digest."""
    now = now or timezone.now()
    sent = 0
    for preference in selectors.digest_subscribers():
        user = preference.user
        since = preference.last_digest_at or now - timedelta(days=1)
        new = list(selectors.queue_for(user).filter(created_at__gt=since, created_at__lte=now)[:200])
        if new and user.email:
            with in_language_of(user):
                subject, body = _digest(user, new, since)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
        ReviewerPreference.objects.filter(pk=preference.pk).update(last_digest_at=now)
    return sent


def _digest(user, new: list[Submission], since: datetime) -> tuple[str, str]:
    """The digest's subject and body, in the active language."""
    body = render_to_string(
        "review/email/digest.txt",
        {
            "user": user,
            "submissions": new,
            "since": since,
            "queue_url": settings.SITE_URL + reverse("review:queue"),
            "site_url": settings.SITE_URL,
        },
    )
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + ngettext(
        "%(count)s new submission(s) to review", "%(count)s new submission(s) to review", len(new)
    ) % {"count": len(new)}
    return subject, body
