"""The unread-notice count of the header (accounts.notices)."""

from typing import Any

from django.http import HttpRequest

from . import notices


def notice_count(request: HttpRequest) -> dict[str, Any]:
    """Lazy: the count is queried only when a page shows it."""
    return {"NOTICE_COUNT": lambda: notices.unread_count(request.user)}
