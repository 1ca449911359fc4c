"""Places and metrics: the reference data every upload, value and page refers to.

The tables keep the names they had in `dataset` (where these models lived before), so moving
them here moved no data.
"""

import unicodedata
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Latin letters that are not a base letter plus an accent, so NFKD alone would drop them.
LETTERS_TO_SPELL_OUT = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ə": "a",
        "ǝ": "a",
    }
)


def normalise_name(text: str) -> str:
    """The form in which names are compared: no accents, no punctuation (' and ’ alike), lower case,
    single spaces. "Łódź" -> "lodz", "Reggio nell’Emilia" -> "reggio nell emilia"."""
    text = unicodedata.normalize("NFKD", str(text).lower().translate(LETTERS_TO_SPELL_OUT))
    # Accents go; any other character that is not a letter or digit (’ as ') separates words.
    spaced = "".join(" " if not ch.isalnum() else ch for ch in text if not unicodedata.combining(ch))
    cleaned = spaced.encode("ascii", "ignore").decode("ascii")
    return " ".join(cleaned.split())


class Location(models.Model):
    class Level(models.TextChoices):
        COUNTRY = "country", _("Country or territory")
        REGION = "region", _("First-level region")
        SUBREGION = "subregion", _("Second-level region")
        SPECIAL = "special", _("Special (cruise ship, event)")

    key = models.CharField(max_length=64, unique=True, help_text="IT, IT_25, US_CA_06037, SHIP_DIAMOND_PRINCESS")
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    country_code = models.CharField(
        max_length=2, blank=True, db_index=True, help_text="ISO 3166-1 alpha-2 of the country it is in"
    )
    iso_3166_1_alpha3 = models.CharField(max_length=3, blank=True)
    iso_3166_2 = models.CharField(max_length=16, blank=True)
    subdivision_type = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.BigIntegerField(null=True, blank=True)
    # Nullable (unlike other text fields) so that SQLite adds the column in place: remaking the table
    # would break the reference triggers that name it (dataset/integrity.py). Empty and NULL: no source.
    population_source = models.CharField(
        max_length=200, null=True, blank=True, help_text="Where the population comes from (places/populations.py)"
    )
    population_year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year the population is of")

    class Meta:
        db_table = "dataset_location"  # moved from dataset without moving data
        ordering = ["key"]
        indexes = [models.Index(fields=["level", "name"], name="dataset_loc_level_ff16f5_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    def get_absolute_url(self) -> str:
        return reverse("dataset:location", kwargs={"key": self.key})


class LocationAlias(models.Model):
    """Another spelling of a location's name or code in some scheme, used to resolve uploads."""

    class Scheme(models.TextChoices):
        NAME = "name", _("Name")
        JHU = "jhu", _("JHU CSSE")
        ISO = "iso", _("ISO code")
        ISTAT = "istat", _("ISTAT (Italy)")
        FIPS = "fips", _("US FIPS")
        TRANSLATION = "translation", _("Translation (pycountry)")
        OTHER = "other", _("Other")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="aliases")
    scheme = models.CharField(max_length=16, choices=Scheme.choices, default=Scheme.NAME)
    text = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "text", "location"], name="unique_alias_per_location"),
        ]
        db_table = "dataset_locationalias"
        verbose_name_plural = "location aliases"

    def __str__(self) -> str:
        return f"{self.text} [{self.scheme}] → {self.location.key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalised = normalise_name(self.text)
        super().save(*args, **kwargs)


class Metric(models.Model):
    class Kind(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative total")
        DAILY = "daily", _("Daily count")
        CURRENT = "current", _("Current level (e.g. patients in hospital today)")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    unit = models.CharField(max_length=40, default="people")
    description = models.TextField()
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        db_table = "dataset_metric"
        ordering = ["display_order", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The name in the reader's language (the reference metrics' names are in the catalogues)."""
        return gettext(self.name)

    @property
    def explanation(self) -> str:
        """The description in the reader's language."""
        return gettext(self.description)
