"""Pagination of API lists: numbered pages, cursors and offsets; each endpoint states only its sizes.

    pagination_class = numbered_pages(page_size=100, max_page_size=1000)

Clients choose a smaller or larger page with `?page_size=` (numbered pages and cursors) or
`?limit=` (offsets), never beyond the endpoint's maximum.
"""

from typing import cast

from rest_framework.pagination import CursorPagination, LimitOffsetPagination, PageNumberPagination


class NumberedPages(PageNumberPagination):
    """`?page=N`, with `?page_size=` up to the endpoint's `max_page_size`."""

    page_size_query_param = "page_size"


class CursorPages(CursorPagination):
    """Stable pages over a table that changes while it is read: `next` / `previous` cursors."""

    page_size_query_param = "page_size"


class OffsetPages(LimitOffsetPagination):
    """`?limit=` and `?offset=`."""


def numbered_pages(*, page_size: int, max_page_size: int) -> type[NumberedPages]:
    """A NumberedPages class with these sizes, for a view's `pagination_class`."""
    attributes = {"page_size": page_size, "max_page_size": max_page_size}
    return cast(type[NumberedPages], type(f"NumberedPages{page_size}", (NumberedPages,), attributes))


def cursor_pages(*, page_size: int, max_page_size: int, ordering: tuple[str, ...]) -> type[CursorPages]:
    """A CursorPages class with these sizes and this default ordering (unique, so cursors are stable)."""
    attributes = {"page_size": page_size, "max_page_size": max_page_size, "ordering": ordering}
    return cast(type[CursorPages], type(f"CursorPages{page_size}", (CursorPages,), attributes))


def offset_pages(*, default_limit: int, max_limit: int | None = None) -> type[OffsetPages]:
    """An OffsetPages class with this default `limit` (and, when given, a maximum)."""
    attributes = {"default_limit": default_limit, "max_limit": max_limit}
    return cast(type[OffsetPages], type(f"OffsetPages{default_limit}", (OffsetPages,), attributes))
