"""Accounts: roles, reviewer scopes, verified users from the command line, volunteer profiles and API tokens."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from places.models import Location

from . import tokens
from .models import ReviewerScope, Role, User, VolunteerProfile


class UnknownCountry(ValueError):
    pass


def countries_from_codes(codes: list[str]) -> list[Location]:
    """Country locations for ISO alpha-2 codes, or UnknownCountry naming the codes we do not know."""
    wanted = [code.strip().upper() for code in codes if code.strip()]
    found = {loc.key: loc for loc in Location.objects.filter(level=Location.Level.COUNTRY, key__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise UnknownCountry(
            f"Unknown country code(s): {', '.join(unknown)}. Use ISO 3166-1 alpha-2 codes such as IT or DE."
        )
    return [found[code] for code in wanted]


# What the staff role may do in the admin: every model of the portal's own apps (API tokens among them),
# e-mail addresses and second factors (to delete a lost one); roles (groups) are read-only there.
# Superuser status and per-user permissions stay with superusers (see PortalUserAdmin).
STAFF_ADMIN_APPS = (
    "places",
    "accounts",
    "account",
    "mfa",
    "dataset",
    "sources",
    "contributions",
    "review",
    "outreach",
)
STAFF_EXTRA_PERMISSIONS = (("auth", "view_group"),)


def staff_permissions() -> QuerySet[Permission]:
    extra = Q()
    for app_label, codename in STAFF_EXTRA_PERMISSIONS:
        extra |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(Q(content_type__app_label__in=STAFF_ADMIN_APPS) | extra)


def role_groups() -> dict[str, Group]:
    """The group of each role, created when missing."""
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


def ensure_groups() -> None:
    """The role groups exist, and the staff group holds the admin permissions it needs (after each migrate)."""
    role_groups()[Role.STAFF].permissions.set(staff_permissions())


@transaction.atomic
def set_role(*, user: User, role: str, countries: list[Location] | None = None) -> None:
    """Give the user exactly this role; reviewers are scoped to `countries` (all when none given)."""
    groups = role_groups()
    user.groups.set([groups[Role.VOLUNTEER], groups[role]])
    user.is_staff = role == Role.STAFF
    user.save(update_fields=["is_staff"])
    if role in (Role.REVIEWER, Role.STAFF):
        scope, _ = ReviewerScope.objects.get_or_create(user=user)
        scope.all_countries = role == Role.STAFF or not countries
        scope.save()
        scope.countries.set(countries or [])
    else:
        ReviewerScope.objects.filter(user=user).delete()


@transaction.atomic
def create_verified_user(*, email: str, password: str, role: str, countries: list[Location]) -> tuple[User, bool]:
    """Create (or update) an account whose email is already verified; returns (user, created)."""
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    created = existing is None
    user = User(email=email, username=email[:150]) if existing is None else existing
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    set_role(user=user, role=role, countries=countries)
    profile, _ = VolunteerProfile.objects.get_or_create(user=user)
    if countries and profile.primary_country_id is None:
        profile.primary_country = countries[0]
        profile.completed_at = profile.completed_at or timezone.now()
        profile.save()
        profile.other_countries.set(countries[1:])
    return user, created


def api_token_for(user: User) -> str:
    """A new API token for the user (replacing any): its key, which is shown once and never stored."""
    return tokens.issue(user)


def rotate_api_token(user: User) -> str:
    return tokens.issue(user)


def ensure_profile(user: User) -> VolunteerProfile:
    """The user's volunteer profile, created empty on first use."""
    profile, _ = VolunteerProfile.objects.get_or_create(user=user)
    return profile


def join_volunteers(user: User) -> None:
    """Put the user in the volunteer group (the role every account that finished onboarding has)."""
    user.groups.add(role_groups()[Role.VOLUNTEER])


@transaction.atomic
def save_profile(*, user: User, profile: VolunteerProfile, data: dict[str, Any]) -> VolunteerProfile:
    """Save the profile from validated form data; the first save finishes onboarding and joins the volunteers."""
    for name in ("display_name", "primary_country", "skills", "organisation", "public_listing"):
        setattr(profile, name, data[name])
    profile.user = user
    first_time = profile.completed_at is None
    profile.completed_at = profile.completed_at or timezone.now()
    profile.save()
    profile.other_countries.set(data["other_countries"])
    if "language" in data and data["language"] != user.language:
        user.language = data["language"]
        user.save(update_fields=["language"])
    if first_time:
        join_volunteers(user)
    return profile
