"""Submissions: source proposals and data uploads, with their validation state and report."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def upload_path(instance, filename):
    """A random name: the submitter's file name is kept in a field, never used as a path."""
    return f"uploads/{uuid.uuid4().hex}"


def volunteer_country_ids(user) -> set[int]:
    """The countries a volunteer named in their profile (primary and others)."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return set()
    ids = set(profile.other_countries.values_list("pk", flat=True))
    if profile.primary_country_id:
        ids.add(profile.primary_country_id)
    return ids


class SubmissionQuerySet(models.QuerySet):
    def in_scope_of(self, user):
        """Submissions a reviewer may moderate: staff everything; reviewers their countries (or all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        scope = getattr(user, "reviewer_scope", None)
        if scope is None or not user.is_reviewer:
            return self.none()
        if scope.all_countries:
            return self
        return self.touching(scope.countries.all())

    def touching(self, countries):
        """Submissions whose values touch any of `countries`: for validated data the countries of its
        rows; before that (and for source proposals) its own country."""
        links = Submission.countries.through.objects.filter(submission=models.OuterRef("pk"))
        return self.filter(
            models.Exists(links.filter(location__in=countries))
            | (~models.Exists(links) & models.Q(country__in=countries))
        )

    def covered_by(self, user):
        """Submissions whose every country is in the reviewer's scope (staff and all-countries: all)."""
        visible = self.in_scope_of(user)
        scope = getattr(user, "reviewer_scope", None)
        if user.is_staff or scope is None or scope.all_countries:
            return visible
        links = Submission.countries.through.objects.filter(submission=models.OuterRef("pk"))
        return visible.exclude(models.Exists(links.exclude(location__in=scope.countries.all())))

    def visible_to(self, user):
        """What a user may see: their own submissions, those in their review scope, and the files
        feeds fetched for their countries (a volunteer may map them)."""
        if not user.is_authenticated:
            return self.none()
        fetched = self.filter(feed__isnull=False, country_id__in=volunteer_country_ids(user))
        return (self.filter(submitter=user) | self.in_scope_of(user) | fetched).distinct()


class Submission(models.Model):
    class Kind(models.TextChoices):
        SOURCE = "source", _("Source proposal")
        DATA = "data", _("Data upload")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        VALIDATING = "validating", _("Validating")
        INVALID = "invalid", _("Invalid")
        NEEDS_MAPPING = "needs_mapping", _("Needs column mapping")
        AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        MERGING = "merging", _("Merging")
        MERGED = "merged", _("Merged")
        MERGE_FAILED = "merge_failed", _("Merge failed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    REVIEWABLE = (Status.AWAITING_REVIEW, Status.IN_REVIEW)
    FINAL = (Status.MERGED, Status.REJECTED, Status.WITHDRAWN)
    # In review too: a revision releases the reviewer's claim (contributions.services) and the
    # reviewer's decision is bound to the version they saw (review.services).
    EDITABLE = (
        Status.INVALID,
        Status.NEEDS_MAPPING,
        Status.AWAITING_REVIEW,
        Status.IN_REVIEW,
        Status.CHANGES_REQUESTED,
    )

    kind = models.CharField(max_length=10, choices=Kind.choices)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    country = models.ForeignKey("places.Location", null=True, blank=True, on_delete=models.PROTECT)
    # Set by validation: the countries the normalised values are in (a place outside every country,
    # such as a cruise ship, stands for itself). Reviewers must cover all of them.
    countries = models.ManyToManyField("places.Location", blank=True, related_name="+")
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="submissions")
    # Fetched by a feed (contributions.feed_runs) rather than uploaded by a person. No index and no
    # database constraint, like Observation.source: lookups go by sha256 (indexed), and SQLite can then
    # drop the column without rebuilding this table (whose rebuild the dataset's triggers forbid).
    feed = models.ForeignKey(
        "sources.Feed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        db_index=False,
        db_constraint=False,
    )
    comment = models.TextField(blank=True, help_text="What this is and why")
    # The uploaded file (data uploads only)
    file = models.FileField(upload_to=upload_path, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveSmallIntegerField(
        default=1, help_text="Goes up with every new file or mapping: reviewers decide on the version they saw"
    )
    # Parsing and validation
    layout = models.CharField(max_length=20, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent, while validating")
    progress_message = models.CharField(max_length=200, blank=True)
    report = models.JSONField(default=dict, blank=True)
    diff = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    normalised_path = models.CharField(max_length=500, blank=True, help_text="Storage path of the normalised Parquet")
    # Review and merge
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="claimed_submissions"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    override_priority = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    merge_error = models.TextField(blank=True)
    merged_release = models.ForeignKey(
        "dataset.Release", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} for {self.source}"

    def get_absolute_url(self):
        return reverse("contributions:detail", kwargs={"pk": self.pk})

    def can_be_reviewed_by(self, user) -> bool:
        """Four eyes and scope: never your own submission, only when your countries cover all of its
        countries (staff and all-countries reviewers: all)."""
        if not user.is_authenticated or user.pk == self.submitter_id:
            return False
        return Submission.objects.covered_by(user).filter(pk=self.pk).exists()

    def scope_countries(self) -> list:
        """The countries a reviewer must cover: those of the data once validated, else `country`."""
        countries = sorted(self.countries.all(), key=lambda country: country.key)  # prefetched by lists
        if countries:
            return countries
        return [self.country] if self.country_id else []

    def can_be_edited_by(self, user) -> bool:
        """The submitter may fix, re-map or withdraw until a reviewer decides. A file a feed fetched
        that needs a mapping or a fix may be mapped by any volunteer of its country."""
        if user.pk == self.submitter_id:
            return self.status in self.EDITABLE
        fixable = (self.Status.NEEDS_MAPPING, self.Status.INVALID, self.Status.CHANGES_REQUESTED)
        return (
            self.feed_id is not None
            and self.status in fixable
            and getattr(user, "is_authenticated", False)
            and self.country_id in volunteer_country_ids(user)
        )

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.VALIDATING)

    @property
    def is_merging(self) -> bool:
        """Approved data waiting for, or in, its merge (a source proposal's approval has no merge)."""
        return self.kind == self.Kind.DATA and self.status in (self.Status.APPROVED, self.Status.MERGING)


class SubmissionFile(models.Model):
    """An earlier file of a submission, kept when the submitter uploads a corrected one."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="earlier_files")
    version = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=upload_path)
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["submission", "version"], name="unique_submission_version")]

    def __str__(self):
        return f"{self.submission} v{self.version}"
