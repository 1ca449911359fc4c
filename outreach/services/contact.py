"""Contact requests from supporters: store, acknowledge to the sender, notify staff, and the staff inbox."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from outreach.models import ContactNote, ContactRequest

# Stored in English with each request (the record of what was agreed); shown translated (CONSENT_LABEL).
CONSENT_TEXT = gettext_noop(
    "I agree that the COVID-19 Open Data project stores this message and my contact details to answer me. "
    "They are not shared with anyone else."
)
CONSENT_LABEL = gettext_lazy(CONSENT_TEXT)

# What each kind of support means, shown on the "Support us" page and above each form.
KIND_DESCRIPTIONS = {
    ContactRequest.Kind.FINANCIAL: gettext_lazy(
        "Donations and sponsorship pay for hosting, reviews and outreach to official institutions."
    ),
    ContactRequest.Kind.CLOUD: gettext_lazy(
        "Compute credits and storage to run validation workers and host the released data."
    ),
    ContactRequest.Kind.DATA_SHARING: gettext_lazy(
        "Hospitals, health ministries and institutes that can share official data or point us at it."
    ),
    ContactRequest.Kind.PRESS: gettext_lazy(
        "Journalists writing about the data or the project, and requests for interviews."
    ),
    ContactRequest.Kind.PARTNERSHIP: gettext_lazy(
        "Organisations that want to work with us, or link to the dataset from their site."
    ),
    ContactRequest.Kind.OTHER: gettext_lazy("Anything else: ideas, questions, corrections."),
}


def staff_recipients() -> list[str]:
    """settings.STAFF_NOTIFICATION_EMAILS plus every active staff user, without duplicates."""
    emails = [e.strip().lower() for e in settings.STAFF_NOTIFICATION_EMAILS]
    emails += [
        e.strip().lower()
        for e in get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    ]
    return sorted(set(emails))


def submit(*, kind: str, name: str, organisation: str, email: str, message: str) -> ContactRequest:
    """Store the request; the acknowledgement (in the language of the page the sender wrote from) and the
    staff notification go out after commit."""
    from outreach.tasks import send_contact_emails

    with transaction.atomic():
        request = ContactRequest.objects.create(
            kind=kind,
            name=name.strip(),
            organisation=organisation.strip(),
            email=email.strip().lower(),
            message=message.strip(),
            consent_text=CONSENT_TEXT,
        )
        send_contact_emails.delay_on_commit(request.pk, language=translation.get_language() or "en")
    return request


def send_emails(*, request_id: int, language: str = "en") -> None:
    """Acknowledge to the sender (in `language`: the sender has no account to say theirs) and notify staff;
    each is claimed first so a re-run sends nothing twice."""
    request = ContactRequest.objects.get(pk=request_id)
    context = {"req": request, "inbox_url": settings.SITE_URL + reverse("outreach:inbox_detail", args=[request.pk])}
    unacknowledged = ContactRequest.objects.filter(pk=request_id, acknowledged_at__isnull=True)
    if unacknowledged.update(acknowledged_at=timezone.now()):
        with translation.override(language):
            subject = _("We received your message: %(kind)s") % {"kind": request.get_kind_display()}
            body = render_to_string("outreach/email/contact_ack.txt", context)
        EmailMessage(subject=subject, body=body, to=[request.email]).send()
    recipients = staff_recipients()
    if recipients and ContactRequest.objects.filter(pk=request_id, staff_notified_at__isnull=True).update(
        staff_notified_at=timezone.now()
    ):
        EmailMessage(
            subject=f"[Contact] {request.get_kind_display()} from {request.name}",
            body=render_to_string("outreach/email/contact_staff.txt", context),
            to=recipients,
            reply_to=[request.email],
        ).send()


def update(
    *, request: ContactRequest, by, status: str | None = None, assignee=None, assign: bool = False, note: str = ""
) -> ContactRequest:
    """Change status and/or assignee and add an internal note; every change is noted with its author."""
    changes = []
    with transaction.atomic():
        if status and status != request.status:
            changes.append(f"Status: {request.get_status_display()} → {ContactRequest.Status(status).label}")
            request.status = status
        if assign and assignee != request.assignee:
            changes.append(f"Assigned to {assignee}" if assignee else "Unassigned")
            request.assignee = assignee
        request.save()
        text = "\n".join(changes + ([note.strip()] if note.strip() else []))
        if text:
            ContactNote.objects.create(request=request, author=by, text=text)
    return request
