"""Pagination of API lists: numbered pages, cursors and offsets; each endpoint states only its sizes.

    pagination_class = numbered_pages(page_size=100, max_page_size=1000)

Clients choose a smaller or larger page with `?page_size=` (numbered pages and cursors) or
`?limit=` (offsets), never beyond the endpoint's maximum.
"""

from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination, LimitOffsetPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class NumberedPages(PageNumberPagination):
    """`?page=N`, with `?page_size=` up to the endpoint's `max_page_size`."""

    page_size_query_param = "page_size"


class CursorPages(CursorPagination):
    """Stable pages over a table that changes while it is read: `next` / `previous` cursors.

    A cursor is the client's to send back as it was: one whose position is not a value of the
    ordering field (not a date, a NUL...) is answered 404 like any invalid cursor, never tried in SQL.
    """

    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: APIView | None = None) -> Any:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        position = str(cursor.position)
        if "\x00" in position:
            raise NotFound(self.invalid_cursor_message)
        ordering = self.ordering if isinstance(self.ordering, (list, tuple)) else [self.ordering]
        try:
            field = self._model._meta.get_field(str(ordering[0]).lstrip("-"))
            field.to_python(position)
        except FieldDoesNotExist:
            return cursor  # a position across a relation: left to the database as before
        except (DjangoValidationError, ValueError, TypeError):
            raise NotFound(self.invalid_cursor_message) from None
        return cursor


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
