"""Outreach: newsletter subscriptions and issues with per-recipient deliveries, and contact requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsletterSubscription(models.Model):
    """One address on the list. Only `confirmed` addresses are ever mailed a newsletter."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(max_length=254, unique=True, help_text="Stored lower-case")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscriptions",
    )
    consent_text = models.TextField(help_text="The exact consent sentence the person agreed to")
    consented_at = models.DateTimeField()
    source_page = models.CharField(max_length=300, blank=True, help_text="Path of the page the form was on")
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} ({self.status})"


class Newsletter(models.Model):
    """One issue of the newsletter, written in Markdown by staff."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(max_length=200)
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False, blank=True, help_text="Rendered and sanitised from the Markdown")
    body_text = models.TextField(editable=False, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    send_finished_at = models.DateTimeField(null=True, blank=True)
    last_progress_at = models.DateTimeField(null=True, blank=True, help_text="Last time a delivery changed state")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class NewsletterDelivery(models.Model):
    """One recipient of one issue. Claimed (queued → sending) with a compare-and-set before the mail
    goes out and marked sent after, so a resend after a crash skips everyone already mailed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending (claimed)")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (no longer subscribed)")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(NewsletterSubscription, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "subscription"], name="one_delivery_per_issue_and_subscriber"
            ),
        ]
        indexes = [models.Index(fields=["newsletter", "status"], name="delivery_issue_status_idx")]
        verbose_name_plural = "newsletter deliveries"

    def __str__(self):
        return f"{self.newsletter_id} → {self.email}: {self.status}"


class ContactRequest(models.Model):
    """A message from someone who wants to support the project, handled by staff in the inbox."""

    class Kind(models.TextChoices):
        FINANCIAL = "financial", _("Financial support")
        CLOUD = "cloud", _("Cloud resources")
        DATA_SHARING = "data_sharing", _("Medical or institutional data sharing")
        PRESS = "press", _("Press")
        PARTNERSHIP = "partnership", _("Partnership or link to the site")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254)
    message = models.TextField(max_length=5000)
    consent_text = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_contact_requests",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by compare-and-set when the mails go out, so a re-run task does not mail twice.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    staff_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.name}"


class ContactNote(models.Model):
    """An internal note by staff on a contact request; never shown to the sender."""

    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note on {self.request_id} by {self.author}"
