"""In a real browser: the API reference (Redoc) and Swagger UI draw from local files only, and list
operations by their English names. (Redoc's bundle asks for its maker's logo on a CDN; the
Content-Security-Policy refuses it, so nothing is fetched from another host.)"""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("url", "marker"), [("/api/redoc/", "List observations"), ("/api/docs/", "List observations")])
def test_the_api_docs_render_without_any_other_host(live_server, page, url, marker):
    local = urlsplit(live_server.url).netloc
    elsewhere = []
    page.on(  # a request the Content-Security-Policy refuses gets no response
        "response",
        lambda response: elsewhere.append(response.url) if urlsplit(response.url).netloc not in (local, "") else None,
    )
    page.goto(live_server.url + url)
    page.get_by_text(marker).first.wait_for(state="attached", timeout=30_000)
    assert [u for u in elsewhere if not u.startswith(("data:", "blob:"))] == []
