"""Public lists that are pages and a CSV of the same rows (errata, conflicts): one way to do both."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 100


def csv_download(rows: Iterable[Any], filename: str, write_csv: Callable[[Any, Any], None]) -> HttpResponse:
    """The rows as an attached CSV file, written by the list's own `write_csv(rows, out)`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(rows, response)
    return response


def page_of(request: HttpRequest, rows: Any) -> tuple[Page, str]:
    """The requested page of `rows`, and the query string without `page` for the pager's links."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
