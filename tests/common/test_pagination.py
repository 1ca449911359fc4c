"""Pagination classes: each endpoint states its sizes, clients choose within them."""

from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from common.pagination import CursorPages, NumberedPages, OffsetPages, cursor_pages, numbered_pages, offset_pages


def request(query: str) -> Request:
    return Request(APIRequestFactory().get("/items/" + query))


def test_numbered_pages_keep_the_sizes_they_were_given_and_cap_the_asked_size():
    pages = numbered_pages(page_size=50, max_page_size=200)
    assert issubclass(pages, NumberedPages)
    paginator = pages()
    assert paginator.get_page_size(request("")) == 50
    assert paginator.get_page_size(request("?page_size=10")) == 10
    assert paginator.get_page_size(request("?page_size=5000")) == 200


def test_cursor_pages_order_by_what_the_endpoint_says():
    pages = cursor_pages(page_size=1000, max_page_size=10000, ordering=("date", "location_id"))
    assert issubclass(pages, CursorPages)
    assert pages.ordering == ("date", "location_id")
    assert pages().get_page_size(request("?page_size=20000")) == 10000


def test_offset_pages_default_to_their_limit():
    paginator = offset_pages(default_limit=100)()
    assert isinstance(paginator, OffsetPages)
    assert paginator.get_limit(request("")) == 100
    assert paginator.get_limit(request("?limit=7")) == 7
