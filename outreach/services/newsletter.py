"""Newsletter issues: writing them (sanitised Markdown) and a crash-safe batched send to confirmed subscribers.

Subscribing, confirming and unsubscribing live in outreach.services.subscriptions.

Sending design: every recipient of an issue gets a NewsletterDelivery row. A batch task claims a
row with a compare-and-set (queued → sending), then writes the mark (sending → sent) in a transaction
that commits right after the backend accepted the mail. A task that runs twice, or two tasks given the
same rows, can never mail a recipient twice: only one claim succeeds and sent rows are never claimed
again. A worker killed before that COMMIT leaves the row claimed; `resume()` puts such claims back in
the queue once they are older than the lease. So the one window where a crash can lead to a duplicate
is between the backend accepting the mail and the COMMIT leaving the worker (see docs/outreach.md).
"""

from dataclasses import dataclass
from datetime import timedelta

import markdown
import nh3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.language import in_language_of
from outreach.models import Newsletter, NewsletterDelivery, NewsletterSubscription

from .subscriptions import unsubscribe_url

Delivery = NewsletterDelivery.Status  # statuses of one address's delivery

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}


def batch_size() -> int:
    return settings.NEWSLETTER_BATCH_SIZE


def claim_lease() -> timedelta:
    """How old a claim must be before resume() assumes its worker died and sends it again."""
    return timedelta(seconds=settings.NEWSLETTER_CLAIM_LEASE_SECONDS)


# --- writing an issue ---------------------------------------------------------------------------


def render_markdown(text: str) -> tuple[str, str]:
    """Markdown → (sanitised HTML, plain text). Raw HTML, scripts and event handlers are dropped."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return clean, (text or "").strip()


def save_issue(*, newsletter: Newsletter) -> Newsletter:
    newsletter.body_html, newsletter.body_text = render_markdown(newsletter.body_markdown)
    newsletter.save()
    return newsletter


def build_message(*, newsletter: Newsletter, email: str, unsubscribe_link: str, connection=None, test=False):
    """The mail for one recipient, with its own unsubscribe link and the one-click headers."""
    context = {"newsletter": newsletter, "unsubscribe_url": unsubscribe_link, "test": test}
    message = EmailMultiAlternatives(
        subject=("[TEST] " if test else "") + newsletter.subject,
        body=render_to_string("outreach/email/newsletter.txt", context),
        to=[email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": "COVID-19 Open Data newsletter <newsletter.covid19-open-data>",
        },
    )
    message.attach_alternative(render_to_string("outreach/email/newsletter.html", context), "text/html")
    return message


def send_test(*, newsletter: Newsletter, email: str) -> None:
    """Send the issue to one staff address; its unsubscribe link is a harmless placeholder."""
    link = settings.SITE_URL + reverse("outreach:newsletter")
    build_message(newsletter=newsletter, email=email, unsubscribe_link=link, test=True).send()


# --- sending an issue ------------------------------------------------------------------------------


@dataclass
class Progress:
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    skipped: int

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(*, newsletter_id: int) -> Progress:
    counts = dict(
        NewsletterDelivery.objects.filter(newsletter_id=newsletter_id)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Progress(
        total=sum(counts.values()),
        queued=counts.get(Delivery.QUEUED, 0),
        sending=counts.get(Delivery.SENDING, 0),
        sent=counts.get(Delivery.SENT, 0),
        failed=counts.get(Delivery.FAILED, 0),
        skipped=counts.get(Delivery.SKIPPED, 0),
    )


class AlreadySent(Exception):
    pass


def start_sending(*, newsletter: Newsletter) -> int:
    """Freeze the list of confirmed subscribers as deliveries and dispatch the batches after commit.
    Returns the number of recipients. Only a draft can be sent, once."""
    with transaction.atomic():
        moved = Newsletter.objects.filter(pk=newsletter.pk, status=Newsletter.Status.DRAFT).update(
            status=Newsletter.Status.SENDING, send_started_at=timezone.now(), last_progress_at=timezone.now()
        )
        if moved != 1:
            raise AlreadySent(_("This issue is already being sent or was sent."))
        confirmed = NewsletterSubscription.objects.filter(status=NewsletterSubscription.Status.CONFIRMED)
        NewsletterDelivery.objects.bulk_create(
            [
                NewsletterDelivery(newsletter_id=newsletter.pk, subscription_id=pk, email=email)
                for pk, email in confirmed.values_list("pk", "email")
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        count = dispatch_queued(newsletter_id=newsletter.pk)
    newsletter.refresh_from_db()
    if count == 0:
        finish_if_done(newsletter_id=newsletter.pk)
    return count


def dispatch_queued(*, newsletter_id: int) -> int:
    """Dispatch (after commit) one batch task per chunk of queued deliveries; returns how many rows."""
    from outreach.tasks import send_newsletter_batch

    ids = list(
        NewsletterDelivery.objects.filter(newsletter_id=newsletter_id, status=NewsletterDelivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = batch_size()
    for start in range(0, len(ids), size):
        send_newsletter_batch.delay_on_commit(newsletter_id, ids[start : start + size])
    return len(ids)


def resume(*, newsletter_id: int, stale_after: timedelta | None = None, retry_failed: bool = False) -> int:
    """Continue a send that stopped (worker killed, broker lost): claims older than the lease go back
    to the queue and every queued row is dispatched again. Safe to call while a send is running."""
    stale_after = claim_lease() if stale_after is None else stale_after
    with transaction.atomic():
        issue = Newsletter.objects.filter(pk=newsletter_id)
        sending = issue.filter(status=Newsletter.Status.SENDING).exists()
        if not sending and not (
            retry_failed
            and issue.filter(status=Newsletter.Status.SENT).update(
                status=Newsletter.Status.SENDING, send_finished_at=None
            )
        ):
            return 0
        rows = NewsletterDelivery.objects.filter(newsletter_id=newsletter_id)
        rows.filter(status=Delivery.SENDING, claimed_at__lte=timezone.now() - stale_after).update(
            status=Delivery.QUEUED
        )
        if retry_failed:
            rows.filter(status=Delivery.FAILED).update(status=Delivery.QUEUED, error="")
        count = dispatch_queued(newsletter_id=newsletter_id)
    if count == 0:
        finish_if_done(newsletter_id=newsletter_id)
    return count


def send_batch(*, newsletter_id: int, delivery_ids: list[int]) -> int:
    """Send the still-queued deliveries among `delivery_ids`; returns how many were sent here."""
    newsletter = Newsletter.objects.filter(pk=newsletter_id, status=Newsletter.Status.SENDING).first()
    if newsletter is None:
        return 0
    rows = list(
        NewsletterDelivery.objects.filter(pk__in=delivery_ids, newsletter_id=newsletter_id, status=Delivery.QUEUED)
        .select_related("subscription__user")
        .order_by("pk")
    )
    sent = 0
    with get_connection() as connection:
        for row in rows:
            if row.subscription.status != NewsletterSubscription.Status.CONFIRMED:
                NewsletterDelivery.objects.filter(pk=row.pk, status=Delivery.QUEUED).update(status=Delivery.SKIPPED)
                continue
            # Built before the claim so that a claimed row is only ever waiting on the backend; the issue is
            # as staff wrote it, its frame in the subscriber's language when they have an account (else English).
            with in_language_of(row.subscription.user):
                message = build_message(
                    newsletter=newsletter,
                    email=row.email,
                    unsubscribe_link=unsubscribe_url(row.subscription),
                    connection=connection,
                )
            claimed = NewsletterDelivery.objects.filter(pk=row.pk, status=Delivery.QUEUED).update(
                status=Delivery.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
            if claimed != 1:
                continue
            if _send_and_mark(row.pk, message):
                sent += 1
    Newsletter.objects.filter(pk=newsletter_id).update(last_progress_at=timezone.now())
    finish_if_done(newsletter_id=newsletter_id)
    return sent


def _send_and_mark(delivery_id: int, message) -> bool:
    """Hand one claimed mail to the backend and mark it sent; True when it went out.

    The mark is written before the send, inside a transaction that commits right after the backend
    accepted the mail. A worker killed before the COMMIT leaves the row claimed (resume() sends it
    again); once the COMMIT is on the wire PostgreSQL completes it even if the worker is gone. So the
    duplicate window is only the time from the backend returning to the COMMIT being sent, shorter
    than compiling and sending an UPDATE after the send (see docs/outreach.md for the measurements).
    """
    handed_over = False
    try:
        with transaction.atomic():
            marked = NewsletterDelivery.objects.filter(pk=delivery_id, status=Delivery.SENDING).update(
                status=Delivery.SENT, sent_at=timezone.now()
            )
            if not marked:  # the claim was taken back meanwhile: someone else sends it
                return False
            message.send()
            handed_over = True
    except Exception as exc:
        if handed_over:
            raise  # sent, but the mark did not commit: the row stays claimed and the task retries
        NewsletterDelivery.objects.filter(pk=delivery_id, status=Delivery.SENDING).update(
            status=Delivery.FAILED, error=f"{type(exc).__name__}: {exc}"[:300]
        )
        return False
    return True


def finish_if_done(*, newsletter_id: int) -> bool:
    if NewsletterDelivery.objects.filter(
        newsletter_id=newsletter_id, status__in=[Delivery.QUEUED, Delivery.SENDING]
    ).exists():
        return False
    return bool(
        Newsletter.objects.filter(pk=newsletter_id, status=Newsletter.Status.SENDING).update(
            status=Newsletter.Status.SENT, send_finished_at=timezone.now()
        )
    )


def is_stalled(newsletter: Newsletter) -> bool:
    """A send that has made no progress for longer than the lease: offer staff the resume button."""
    if newsletter.status != Newsletter.Status.SENDING or newsletter.last_progress_at is None:
        return False
    return newsletter.last_progress_at < timezone.now() - claim_lease()


def resume_stalled() -> int:
    """Resume every send that made no progress for longer than the lease; returns rows re-dispatched."""
    stalled = Newsletter.objects.filter(
        status=Newsletter.Status.SENDING, last_progress_at__lt=timezone.now() - claim_lease()
    ).values_list("pk", flat=True)
    total = 0
    for pk in stalled:
        Newsletter.objects.filter(pk=pk).update(last_progress_at=timezone.now())
        total += resume(newsletter_id=pk)
    return total
