"""The registry of official data sources and the recipes that map their files to our schema."""

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Query parameters that say where a visitor came from, never which page or data it is.
TRACKING_PARAMETERS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "rb_clickid",
    "s_cid",
    "ref",
    "ref_src",
    "spm",
    "clicktime",
    "enterid",
    "isappinstalled",
}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """The form in which source URLs are compared, so one page cannot be registered twice.

    https, lower-case host without "www." or a trailing dot, no default port, no user info, no
    trailing slash, no fragment, no tracking parameters (utm_*, fbclid...), remaining query sorted.
    A URL typed without a scheme ("who.int/...") is read as https.
    """
    text = (url or "").strip()
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:  # "host:abc": URL validation refuses these before they are stored
        port = None
    port_text = f":{port}" if port and port not in (80, 443) else ""
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit(("https", host + port_text, path, urlencode(query), ""))


class SourceQuerySet(models.QuerySet["Source"]):
    def failing(self) -> "SourceQuerySet":
        """Sources whose last Source.FAILING_AFTER checks or more failed in a row."""
        return self.filter(consecutive_check_failures__gte=Source.FAILING_AFTER)


class Source(models.Model):
    class InstitutionType(models.TextChoices):
        MINISTRY = "ministry", _("Ministry of health")
        PUBLIC_HEALTH = "public_health", _("Public health institute")
        STATISTICS = "statistics", _("Statistics office")
        SUBNATIONAL = "subnational", _("Subnational official body")
        HOSPITAL = "hospital", _("Hospital network")
        INTERNATIONAL = "international", _("International organisation")
        AGGREGATOR = "aggregator", _("Aggregator")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    class Cadence(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        IRREGULAR = "irregular", _("Irregular")
        FINAL = "final", _("No longer updated")

    # Official national > subnational official > international organisation > aggregator.
    DEFAULT_PRIORITY: dict[str, int] = {
        InstitutionType.MINISTRY: 100,
        InstitutionType.PUBLIC_HEALTH: 100,
        InstitutionType.STATISTICS: 100,
        InstitutionType.HOSPITAL: 80,
        InstitutionType.SUBNATIONAL: 80,
        InstitutionType.INTERNATIONAL: 50,
        InstitutionType.OTHER: 30,
        InstitutionType.AGGREGATOR: 10,
    }
    # A source is failing after this many failed freshness checks in a row (sources.freshness).
    FAILING_AFTER = 3

    name = models.CharField(max_length=200)
    institution = models.CharField(max_length=200)
    institution_type = models.CharField(max_length=20, choices=InstitutionType.choices)
    country = models.ForeignKey(
        "places.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        help_text="Empty for international sources",
    )
    subregion = models.ForeignKey(
        "places.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="subregion_sources"
    )
    url = models.URLField(max_length=500)
    url_normalised = models.CharField(max_length=500, unique=True, editable=False)
    data_format = models.CharField(max_length=50, blank=True, help_text="CSV, XLSX, JSON, HTML, PDF...")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.DAILY)
    licence = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=500, blank=True)
    metrics = models.ManyToManyField("places.Metric", blank=True, related_name="sources")
    priority = models.PositiveSmallIntegerField(help_text="Higher wins when two sources give a value")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    notes = models.TextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Freshness checks (sources.freshness)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_check_error = models.CharField(max_length=300, blank=True)
    consecutive_check_failures = models.PositiveSmallIntegerField(default=0)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(priority__lte=1000), name="source_priority_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.url_normalised = normalise_url(self.url)
        if self.priority is None:
            self.priority = self.DEFAULT_PRIORITY.get(self.institution_type, 30)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("sources:detail", kwargs={"pk": self.pk})

    @property
    def is_failing(self) -> bool:
        return self.consecutive_check_failures >= self.FAILING_AFTER


class SourceRecipe(models.Model):
    """How files of one shape from a source map to our schema; saved when an upload of that shape is
    approved with a mapping (contributions.recipes.remember).

    A source keeps one recipe per file shape: `signature` is the hash of the headers of the file it
    was made from (dates left out, so a file that gains a date column every day keeps it), and a
    new file gets the recipe whose signature is its own (contributions.recipes.choose). An empty
    signature marks a recipe from before signatures whose file was gone: it applies only when no
    signed recipe matches and every column it names is in the file.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="recipes")
    signature = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the file's headers (dates left out); empty: unknown"
    )
    headers = models.JSONField(
        default=list, blank=True, help_text="What the signature was made from: [{sheet, headers}] per sheet"
    )
    layout = models.CharField(max_length=20)
    mapping = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_from = models.ForeignKey("contributions.Submission", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["source", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "signature"], name="one_recipe_per_source_and_file_shape")
        ]

    def __str__(self) -> str:
        shape = self.signature[:12] or "unsigned"
        return f"Recipe for {self.source} ({shape})"


class Feed(models.Model):
    """A URL where a source publishes a machine-readable file on a schedule (sources.feeds runs it).

    The URL may hold a date pattern, `{date:%Y%m%d}`, for sources that publish one file per day.
    Changed content becomes an upload of the source, attributed to the feed, reviewed like any other
    (contributions.feed_runs); a trusted feed's pure appends are approved by the standing decision of
    the reviewer who trusted it (review.trusted).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed by a volunteer")
        ACTIVE = "active", _("Active")

    class Schedule(models.TextChoices):
        HOURLY = "hourly", _("Every hour")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")
        CRON = "cron", _("Cron expression")

    # The feed pauses after this many failed fetches in a row.
    PAUSE_AFTER = 3

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="feeds")
    name = models.CharField(max_length=200, blank=True, help_text="What the file is, e.g. “Regional daily file”")
    url = models.CharField(
        max_length=500,
        help_text="http(s) address of the file; {date:%Y%m%d} (any strftime format) stands for the day of a daily file",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.DAILY)
    cron = models.CharField(
        max_length=100, blank=True, help_text="With the cron schedule: minute hour day-of-month month day-of-week"
    )
    recipe = models.ForeignKey(
        SourceRecipe,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feeds",
        help_text="The recipe the files must match; empty: any recipe of the source, or none",
    )
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="followed_feeds")
    # Trust: a standing approval of pure appends (review.trusted)
    trusted = models.BooleanField(default=False)
    trusted_reason = models.TextField(blank=True)
    trusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trusted_at = models.DateTimeField(null=True, blank=True)
    # Failures and pausing
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    paused = models.BooleanField(default=False)
    paused_reason = models.CharField(max_length=300, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # Conditional requests and what was last fetched
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_sha256 = models.CharField(max_length=64, blank=True)
    last_date = models.DateField(null=True, blank=True, help_text="Date-pattern feeds: the last day fetched")
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(trusted=True) | ~models.Q(trusted_reason=""), name="trusted_feed_has_a_reason"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"Feed of {self.source}"

    def get_absolute_url(self) -> str:
        return reverse("sources:feed", kwargs={"pk": self.pk})

    @property
    def has_date_pattern(self) -> bool:
        return "{date" in self.url

    def url_for(self, day: Any = None) -> str:
        """The URL of the file for `day` (the URL itself without a date pattern)."""
        return self.url.format(date=day) if self.has_date_pattern else self.url

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.ACTIVE and not self.paused
