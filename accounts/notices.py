"""In-app notices and per-kind e-mail preferences: every e-mail the portal sends a person about their
work is also a notice on the site (a count in the header, a list at /volunteers/notices/)."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .language import in_language_of
from .models import Notice, NoticePreference, User


def notify(*, users: Iterable[Any], kind: str, text: str | Callable[[], str], link: str = "") -> list[Notice]:
    """One notice per user (duplicates in `users` counted once). `text` is the notice's text, or a
    function that writes it: called once per user, in that user's language."""
    unique = {user.pk: user for user in users if user is not None}
    return Notice.objects.bulk_create(
        Notice(user_id=pk, kind=kind, text=_text_for(unique[pk], text)[:500], link=link[:500]) for pk in sorted(unique)
    )


def _text_for(user: Any, text: str | Callable[[], str]) -> str:
    if isinstance(text, str):
        return text
    with in_language_of(user):
        return str(text())


def wants_email(user: User, kind: str) -> bool:
    preference = NoticePreference.objects.filter(user=user).first()
    return preference is None or kind not in preference.email_off


def set_email_preferences(*, user: User, email_kinds: Iterable[str]) -> NoticePreference:
    """Keep e-mail for `email_kinds`; turn it off for every other kind."""
    wanted = set(email_kinds)
    off = [kind for kind in Notice.Kind.values if kind not in wanted]
    preference, _ = NoticePreference.objects.update_or_create(user=user, defaults={"email_off": off})
    return preference


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def notices_of(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user)


def mark_all_read(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
