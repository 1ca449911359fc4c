"""The canonical dataset: observations, their history, releases and JHU's own rows."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from places.models import Location, Metric


class Release(models.Model):
    """A numbered, citable state of the canonical dataset. Every merge or import makes one."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    description = models.CharField(max_length=300, help_text="What was merged")
    submissions = models.ManyToManyField("contributions.Submission", blank=True, related_name="releases")
    values_added = models.PositiveIntegerField(default=0)
    values_changed = models.PositiveIntegerField(default=0)
    values_unchanged = models.PositiveIntegerField(default=0)
    values_skipped = models.PositiveIntegerField(
        default=0, help_text="Values not replaced because their current source has a higher priority"
    )
    changelog = models.TextField(blank=True)
    exports_built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"Release {self.number}"

    @classmethod
    def next_number(cls) -> int:
        """The number the next release takes: one more than the highest so far (its writers hold the
        dataset lock). Which release is the latest is selectors.latest_release()."""
        highest = cls.objects.aggregate(highest=models.Max("number"))["highest"]
        return (highest or 0) + 1


class ReleaseFile(models.Model):
    """One exported file of a release (tidy CSV, JHU CSV, Parquet, datapackage.json...)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=500, help_text="Storage path relative to EXPORTS_ROOT")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "name"], name="unique_file_per_release")]
        ordering = ["format", "name"]

    def __str__(self):
        return f"{self.release}: {self.name}"


class JhuRow(models.Model):
    """A row of a JHU CSSE time-series file as JHU wrote it, so the JHU export can write it back.

    One per layout, metric and location: JHU's files differ per metric (the recovered file has
    its own rows and, for a few places, other coordinates), and Lat/Long are kept as JHU's text.
    """

    class Layout(models.TextChoices):
        GLOBAL = "global", _("Global (Province/State, Country/Region, Lat, Long)")
        US = "us", _("US (UID ... Combined_Key, Population)")

    layout = models.CharField(max_length=8, choices=Layout.choices)
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="jhu_rows")
    position = models.PositiveIntegerField(help_text="Row number in JHU's file (0 = first data row)")
    province_state = models.CharField(max_length=200, blank=True)
    country_region = models.CharField(max_length=200)
    admin2 = models.CharField(max_length=200, blank=True)
    lat = models.CharField(max_length=40, blank=True, help_text="As JHU wrote it")
    long = models.CharField(max_length=40, blank=True, help_text="As JHU wrote it")
    extra = models.JSONField(
        default=dict, blank=True, help_text="US layout: UID, iso2, iso3, code3, FIPS, Combined_Key..."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["layout", "metric", "location"], name="one_jhu_row_per_location"),
        ]
        ordering = ["layout", "metric", "position"]

    def __str__(self):
        return f"{self.layout}/{self.metric_id}: {self.province_state}, {self.country_region}"


class Observation(models.Model):
    """The canonical value for one location, metric and date, with where it came from."""

    # Foreign keys are checked once per statement by triggers (dataset/integrity.py), not per row.
    # Indexes: the unique (location, metric, date) one serves location lookups and the date index
    # "everything for a date"; no index covers the provenance columns, so a merge that changes a
    # value, its source, submission and release updates the row in place (a HOT update, helped
    # by the table's fillfactor of 90) instead of adding an entry to every index.
    location = models.ForeignKey(Location, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    date = models.DateField()
    value = models.FloatField()
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, db_index=False, db_constraint=False)
    submission = models.ForeignKey(
        "contributions.Submission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
        help_text="Release in which it last changed",
    )

    class Meta:
        constraints = [
            # Also the index for "one location, one metric, a date range".
            models.UniqueConstraint(fields=["location", "metric", "date"], name="one_value_per_location_metric_date"),
        ]
        indexes = [models.Index(fields=["date"], name="observation_date_idx")]

    def __str__(self):
        return f"{self.location_id}/{self.metric_id}/{self.date}: {self.value}"


class ObservationHistory(models.Model):
    """A replaced value: what it was, what it became, when, and which submission and source did it."""

    # Foreign keys checked per statement (dataset/integrity.py); the two indexes below serve the
    # provenance view and "what changed in a release", and are the only ones a merge maintains.
    location = models.ForeignKey(Location, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    date = models.DateField()
    old_value = models.FloatField()
    # Empty when the value was removed (a revert of the merge that added it): the key then has no
    # Observation row any more, and this row keeps what it was.
    new_value = models.FloatField(null=True, blank=True, help_text="Empty: the value was removed")
    old_source = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    new_source = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    old_release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="history", db_index=False, db_constraint=False
    )
    submission = models.ForeignKey(
        "contributions.Submission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["location", "metric", "date"], name="history_lmd_idx"),
            models.Index(fields=["release"], name="history_release_idx"),
        ]
        verbose_name_plural = "observation history"

    def __str__(self):
        new = "removed" if self.new_value is None else self.new_value
        return f"{self.location_id}/{self.metric_id}/{self.date}: {self.old_value} → {new}"


class Erratum(models.Model):
    """A public note on a place's series for a metric over a date range.

    A correction says what is wrong in the values and what the official source said. "No longer
    reported" marks a series that ended on `start` (e.g. JHU's recovered series, zeroed when JHU
    stopped reporting): pages, charts, the API and exports end the series there instead of showing
    the zeros as real.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        NO_LONGER_REPORTED = "no_longer_reported", _("No longer reported")

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="errata")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="errata")
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.CORRECTION)
    start = models.DateField(help_text="First date concerned (for 'no longer reported': the first date without data)")
    end = models.DateField(null=True, blank=True, help_text="Last date concerned; empty: to this day")
    what_is_wrong = models.TextField(blank=True)
    source_said = models.TextField(blank=True, help_text="What the official source said")
    link = models.URLField(max_length=500, blank=True)
    author = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="errata")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["location", "metric", "start"]
        indexes = [models.Index(fields=["location", "metric"], name="erratum_series_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="erratum_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["location", "metric"],
                condition=models.Q(kind="no_longer_reported"),
                name="erratum_one_end_per_series",
            ),
        ]
        verbose_name_plural = "errata"

    def __str__(self):
        return f"{self.location_id}/{self.metric_id} from {self.start}: {self.get_kind_display()}"


class ConflictExplanation(models.Model):
    """A reviewer's note that a conflict between two sources' values is understood (a definition,
    a reporting delay, a known correction), so the public report shows it as explained."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    losing_source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="+")
    winning_source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="+")
    explanation = models.TextField()
    author = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location", "metric", "date", "losing_source", "winning_source"],
                name="one_explanation_per_conflict",
            )
        ]

    def __str__(self):
        return f"{self.location_id}/{self.metric_id}/{self.date}: explained"
