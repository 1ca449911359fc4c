"""Users, volunteer profiles (countries and skills) and reviewer scopes."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from places.models import Location


class Role(models.TextChoices):
    """Roles are Django groups of these names."""

    VOLUNTEER = "volunteer", _("Volunteer")
    REVIEWER = "reviewer", _("Reviewer")
    STAFF = "staff", _("Staff")


class Skill(models.TextChoices):
    """The roles the project needs, as volunteers choose them."""

    OFFICIAL_CONTACT = "official_contact", _("Contacting official institutions")
    MEDICAL = "medical", _("Working in a medical institution")
    SOFTWARE = "software", _("Software engineering")
    DATA_ENGINEERING = "data_engineering", _("Data engineering")
    MACHINE_LEARNING = "machine_learning", _("Machine learning")
    DATA_ANALYSIS = "data_analysis", _("Data analysis")
    STORYTELLING = "storytelling", _("Data journalism / storytelling")


def unique_username(email: str, *, taken: Callable[[str], bool]) -> str:
    """A username derived from the email address, made unique with a counter.

    People sign in by email; the username exists because Django's admin and `createsuperuser`
    expect one, and it must never be empty: an empty one is unique only for the first account.
    `taken(candidate)` says whether another account already has that username.
    """
    max_length = User._meta.get_field("username").max_length
    assert max_length is not None  # AbstractUser.username has one
    base = (email or "user").strip().lower()[:max_length] or "user"
    candidate, counter = base, 1
    while taken(candidate):
        counter += 1
        suffix = f"-{counter}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate


class User(AbstractUser):
    """Signs in by email (allauth); the username is derived from the email when none is given."""

    # Pages and mail in this language (accounts.language); blank: the browser's (or the switcher's) choice.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages and e-mails are in this language. Left empty, your browser's language is used."),
    )

    def __str__(self) -> str:
        return self.email or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.username:
            others = User.objects.exclude(pk=self.pk) if self.pk else User.objects.all()
            self.username = unique_username(
                self.email, taken=lambda name: others.filter(username__iexact=name).exists()
            )
        super().save(*args, **kwargs)

    def has_role(self, role: str) -> bool:
        if role == Role.STAFF and self.is_staff:
            return True
        return self.groups.filter(name=role).exists()

    @property
    def is_reviewer(self) -> bool:
        return self.is_staff or self.has_role(Role.REVIEWER)

    @property
    def display_name(self) -> str:
        """The name the person chose (profile, else first and last name), else their role in the
        active language (pages, and mail written in the recipient's): never a part of the email
        address, since this name is shown to the public."""
        return self._chosen_name() or gettext(self._role_name())

    @property
    def english_name(self) -> str:
        """display_name with the role in English: for the API, files and texts stored for later."""
        return self._chosen_name() or self._role_name()

    def _chosen_name(self) -> str:
        profile = getattr(self, "profile", None)
        if profile and profile.display_name:
            return profile.display_name
        return self.get_full_name()

    def _role_name(self) -> str:
        return gettext_noop("a reviewer") if self.is_reviewer else gettext_noop("a volunteer")


class VolunteerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=100, blank=True)
    primary_country = models.ForeignKey(
        Location,
        null=True,
        on_delete=models.PROTECT,
        related_name="primary_volunteers",
        limit_choices_to={"level": Location.Level.COUNTRY},
    )
    other_countries = models.ManyToManyField(
        Location, blank=True, related_name="other_volunteers", limit_choices_to={"level": Location.Level.COUNTRY}
    )
    skills = models.JSONField(default=list, blank=True, help_text="Codes from accounts.models.Skill")
    organisation = models.CharField(max_length=200, blank=True)
    public_listing = models.BooleanField(default=False, help_text="Show me in the public volunteer directory")
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When onboarding was finished")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None and self.primary_country_id is not None

    def skill_labels(self) -> list[str]:
        return [str(Skill(code).label) for code in self.skills if code in Skill.values]


class ReviewerScope(models.Model):
    """Which countries a reviewer may moderate: a list of countries, or all of them."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reviewer_scope")
    all_countries = models.BooleanField(default=False)
    countries = models.ManyToManyField(Location, blank=True, limit_choices_to={"level": Location.Level.COUNTRY})

    def __str__(self) -> str:
        if self.all_countries:
            return f"{self.user}: all countries"
        return f"{self.user}: {', '.join(self.countries.values_list('key', flat=True))}"


class ApiToken(models.Model):
    """A user's API token (`Authorization: Token <key>`): only the SHA-256 of the key is stored.

    The key is shown once when it is made (accounts.tokens.issue); one token per user, replaced on
    rotation and deleted when the password changes or is reset.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="api_token")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, in hex")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token of {self.user}"


class Notice(models.Model):
    """An in-app notice: what was e-mailed (decisions, merges, paused feeds), also shown on the site."""

    class Kind(models.TextChoices):
        APPROVED = "approved", _("Submission approved")
        REJECTED = "rejected", _("Submission rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        MERGED = "merged", _("Submission merged")
        CLAIM_RELEASED = "claim_released", _("Claim released by a revision")
        FEED_PAUSED = "feed_paused", _("Feed paused")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"


class NoticePreference(models.Model):
    """Which kinds of notice a user no longer wants by e-mail (the in-app notice stays)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notice_preference")
    email_off = models.JSONField(default=list, blank=True, help_text="Notice kinds not sent by e-mail")

    def __str__(self) -> str:
        return f"Notice preferences of {self.user}"
