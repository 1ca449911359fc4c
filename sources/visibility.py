"""Who may see which sources: the public sees approved (and retired) ones, proposers their own, reviewers all."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from accounts.models import User

from .models import Source

Viewer = User | AnonymousUser | None  # request.user, or nobody

PUBLIC_STATUSES: tuple[str, ...] = (Source.Status.APPROVED, Source.Status.RETIRED)


def sees_all_sources(user: Viewer) -> bool:
    """Reviewers and staff moderate proposals, so they see every status."""
    return bool(user and user.is_authenticated and user.is_reviewer)


def visible_sources(user: Viewer, *, public_statuses: tuple[str, ...] = PUBLIC_STATUSES) -> QuerySet[Source]:
    """Sources this user may see: `public_statuses` for everyone, plus their own proposals."""
    sources = Source.objects.all()
    if sees_all_sources(user):
        return sources
    condition = Q(status__in=public_statuses)
    if user and user.is_authenticated:
        condition |= Q(proposed_by=user)
    return sources.filter(condition)


def visible_statuses(user: User | AnonymousUser) -> list[str]:
    """The statuses a user can filter the list by."""
    if sees_all_sources(user):
        return list(Source.Status.values)
    own: list[str] = [Source.Status.PROPOSED, Source.Status.REJECTED] if user.is_authenticated else []
    return list(PUBLIC_STATUSES) + own


HIDDEN_DUPLICATE = gettext_noop(
    "Someone has already proposed this URL, so it cannot be proposed again. Contact us if you think it should be added."
)  # all a duplicate-URL answer says of a source its reader may not see (no name, id or status)


def can_view_source(user: Viewer, source: Source) -> bool:
    if source.status in PUBLIC_STATUSES or sees_all_sources(user):
        return True
    return bool(user and user.is_authenticated and source.proposed_by_id == user.pk)
