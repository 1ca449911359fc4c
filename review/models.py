"""The moderation audit log: every claim, release, comment, decision and merge, append-only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class ReviewActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Review actions are append-only")

    def delete(self):
        raise AppendOnlyError("Review actions are append-only")


class ReviewAction(models.Model):
    class Action(models.TextChoices):
        CLAIM = "claim", _("Claimed")
        RELEASE = "release", _("Released")
        EXPIRE = "expire", _("Claim expired")
        COMMENT = "comment", _("Commented")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        REQUEST_CHANGES = "request_changes", _("Requested changes")
        RETRY_MERGE = "retry_merge", _("Retried merge")
        MERGE = "merge", _("Merged")
        PROPOSE_REVERT = "propose_revert", _("Proposed a revert")
        CANCEL_REVERT = "cancel_revert", _("Cancelled a revert")
        CONFIRM_REVERT = "confirm_revert", _("Confirmed a revert")
        REVERT = "revert", _("Reverted")

    class PriorityDecision(models.TextChoices):
        """What an approval does with values whose current source has a higher priority."""

        OVERRIDE = "override", _("Override the higher-priority values")
        KEEP = "keep", _("Keep the higher-priority values")

    submission = models.ForeignKey("contributions.Submission", on_delete=models.PROTECT, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.TextField(blank=True)
    override_priority = models.BooleanField(default=False)
    priority_decision = models.CharField(
        max_length=8,
        choices=PriorityDecision.choices,
        blank=True,
        help_text="An approval of data: override or keep the values of higher-priority sources",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ReviewActionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} #{self.submission_id} by {self.actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Review actions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Review actions are append-only")


class ReviewerPreference(models.Model):
    """A reviewer's choice to receive the daily digest of new submissions in their scope."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_preference")
    daily_digest = models.BooleanField(
        default=False, help_text="Email me a daily list of new submissions in my countries"
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user}: digest {'on' if self.daily_digest else 'off'}"


class Revert(models.Model):
    """Undoing a merged submission, with four eyes: one reviewer proposes, another confirms.

    A revert restores, for every value the submission's merge wrote, the value it replaced (or
    removes a value it added) in a release of its own. Values a later release changed since are
    listed in `changed_later` when proposed; the confirmer chooses to skip them or revert them too.
    At most one revert of a submission is open or done: reverting twice does nothing.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed, reverting")
        DONE = "done", _("Reverted")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    submission = models.ForeignKey("contributions.Submission", on_delete=models.PROTECT, related_name="reverts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    reason = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    include_changed_later = models.BooleanField(
        default=False, help_text="Also revert values that later releases changed since the merge"
    )
    changed_later = models.JSONField(
        default=list, blank=True, help_text="When proposed: values a later release changed since the merge"
    )
    changed_later_count = models.PositiveIntegerField(default=0)
    release = models.ForeignKey(
        "dataset.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="reverts"
    )
    values_restored = models.PositiveIntegerField(default=0)
    values_removed = models.PositiveIntegerField(default=0)
    values_skipped = models.PositiveIntegerField(default=0, help_text="Changed later and left as they are")
    error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(status__in=["proposed", "confirmed", "done"]),
                name="one_open_or_done_revert_per_submission",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_by__isnull=True) | ~models.Q(confirmed_by=models.F("proposed_by")),
                name="revert_confirmed_by_another",
            ),
        ]

    def __str__(self):
        return f"Revert of #{self.submission_id} ({self.get_status_display()})"
