"""Reads about people that several pages share: profiles, API tokens and the public volunteer directory."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from places.models import Location

from .models import ApiToken, Skill, VolunteerProfile


def has_api_token(user: Any) -> bool:
    return ApiToken.objects.filter(user=user).exists()


def country_choices() -> QuerySet[Location, tuple[str, str]]:
    """(key, name) of every country, by name: the directory's country filter."""
    return Location.objects.filter(level=Location.Level.COUNTRY).order_by("name").values_list("key", "name")


def public_name(profile: VolunteerProfile) -> str:
    """Never the email address: the display name, the full name, or nothing identifying (in the
    reader's language: the directory page)."""
    return profile.display_name or profile.user.get_full_name() or gettext("A volunteer")


@dataclass
class DirectoryGroup:
    """The listed volunteers of one country, as the directory shows them (no email addresses)."""

    country: Location
    volunteers: list[dict[str, Any]] = field(default_factory=list)


def volunteer_directory(*, skill: str = "", country_key: str = "") -> list[DirectoryGroup]:
    """Volunteers who chose to be listed and finished onboarding, grouped by each country they cover,
    countries by name; optionally only those with `skill` or only one country."""
    profiles = (
        VolunteerProfile.objects.filter(public_listing=True, completed_at__isnull=False, user__is_active=True)
        .select_related("user", "primary_country")
        .prefetch_related("other_countries")
        .order_by("display_name", "pk")
    )
    groups: dict[str, DirectoryGroup] = {}
    for profile in profiles:
        if skill and skill not in profile.skills:
            continue
        countries = [c for c in [profile.primary_country, *profile.other_countries.all()] if c is not None]
        entry = {"name": public_name(profile), "skills": profile.skill_labels(), "organisation": profile.organisation}
        for country in dict.fromkeys(countries):
            if country_key and country.key != country_key:
                continue
            groups.setdefault(country.key, DirectoryGroup(country=country)).volunteers.append(entry)
    return sorted(groups.values(), key=lambda group: group.country.name)


def known_skill(code: str) -> str:
    """`code` when it names a Skill, else "" (a filter from the query string)."""
    return code if code in Skill.values else ""
