"""The language a person reads the portal in.

Pages: a signed-in person's profile language (`User.language`) wins, else the switcher's cookie, else
the browser's Accept-Language (LocaleMiddleware, then accounts.middleware.UserLanguageMiddleware).
Mail and notices made outside a request (Celery tasks) are written `in_language_of(recipient)`:

    with in_language_of(user):
        subject = gettext("Your upload was approved")
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import translation


def supported_language(code: str | None) -> str:
    """The code of LANGUAGES that `code` names ("es-ES" -> "es", "zh-Hans" -> "zh-hans"); "" for none."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return ""


def profile_language(user: Any) -> str:
    """The language saved in a signed-in person's profile; "" when none is chosen or nobody signed in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return supported_language(getattr(user, "language", ""))


def language_of(user: Any) -> str:
    """The language to write to `user` in (None or no choice: the portal's default language)."""
    return profile_language(user) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(user: Any) -> Iterator[str]:
    """Translate what is made inside the block (mail, notices) into `user`'s language; yields the code."""
    language = language_of(user)
    with translation.override(language):
        yield language


def remember_language(user: Any, code: str | None) -> bool:
    """Save `code` as a signed-in person's profile language; False (nothing saved) when it is no language
    of the portal or nobody is signed in."""
    language = supported_language(code)
    if not language or user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True
