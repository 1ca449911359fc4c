"""The moderation audit log: every claim, release, comment, decision and merge, append-only."""

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class ReviewActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Review actions are append-only")

    def delete(self):
        raise AppendOnlyError("Review actions are append-only")


class ReviewAction(models.Model):
    class Action(models.TextChoices):
        CLAIM = "claim", "Claimed"
        RELEASE = "release", "Released"
        EXPIRE = "expire", "Claim expired"
        COMMENT = "comment", "Commented"
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        REQUEST_CHANGES = "request_changes", "Requested changes"
        RETRY_MERGE = "retry_merge", "Retried merge"
        MERGE = "merge", "Merged"

    class PriorityDecision(models.TextChoices):
        """What an approval does with values whose current source has a higher priority."""

        OVERRIDE = "override", "Override the higher-priority values"
        KEEP = "keep", "Keep the higher-priority values"

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
