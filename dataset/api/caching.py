"""HTTP caching for the public read API: ETag / Last-Modified from the latest release, 304s, and a
per-release cache of response bodies.

Public data only change when a release is made, so the latest release number is the version of
every public read: it is in the ETag and in the cache key, and a new release makes every old
entry unreachable (they expire on their own) without any explicit invalidation. The version of the
series' end marks (dataset/ended.py) is in the key too: a mark changes the answers without a release. The latest
release number itself is kept in the cache for at most STATE_SECONDS. A streamed body
is cached only when it turns out to be small, so a full download never sits in memory.

Views that set `count_requests` also count each request per query (path, parameters, format) in
the cache, and keep the most requested in a short list (popular_requests()) that the release's
warming task (dataset/warming.py) replays, so the first reader after a release finds them cached.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from rest_framework.request import Request
from rest_framework.response import Response

from .. import ended
from ..selectors import latest_release

if TYPE_CHECKING:
    from rest_framework.views import APIView as _View
else:
    _View = object

CACHE_SECONDS = 24 * 60 * 60
# Bodies up to this size are kept (a country's full series as CSV is a few hundred kB).
CACHE_MAX_BYTES = 2 * 1024 * 1024
# Browsers and proxies may reuse a response this long before revalidating with If-None-Match.
CLIENT_MAX_AGE = 60
STATE_KEY = "api:latest-release"
CACHEABLE_FORMATS = ("json", "csv")
STATE_SECONDS = 5
# Request counts per query: kept this long after the query's first request.
COUNT_SECONDS = 30 * 24 * 60 * 60
# The most requested queries kept in the popular list (the warming task replays the first 50).
POPULAR_KEPT = 200


@dataclass(frozen=True)
class RequestIdentity:
    """What a cached public read depends on besides the release: path, sorted parameters, format."""

    path: str
    query: str
    media: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.path}?{self.query}|{self.media}".encode()).hexdigest()[:24]

    @classmethod
    def of(cls, request: Request) -> "RequestIdentity":
        query = urlencode(sorted((k, v) for k, values in request.query_params.lists() for v in values))
        renderer = getattr(request, "accepted_renderer", None)
        return cls(request.path, query, renderer.format if renderer is not None else "")


def count_request(identity: RequestIdentity) -> int:
    """Count one request of this query; each time its count reaches a power of two (2, 4, 8 ...), put
    it in the popular list with that count. Returns the count.

    One atomic increment per request; the list itself is rewritten only log2(count) times per query,
    so a query asked once never touches it and a lost concurrent update is made good at the next power."""
    key = f"{settings.API_CACHE_PREFIX}:hits:{identity.digest}"
    try:
        count = cache.incr(key)
    except ValueError:  # first request of this query (or its count expired)
        count = 1
        if not cache.add(key, 1, COUNT_SECONDS):
            count = cache.incr(key)
    if count >= 2 and count & (count - 1) == 0:
        popular_key = f"{settings.API_CACHE_PREFIX}:popular"
        popular = dict(cache.get(popular_key) or {})
        popular[identity.digest] = (count, identity)
        kept = sorted(popular.items(), key=lambda item: -item[1][0])[:POPULAR_KEPT]
        cache.set(popular_key, dict(kept), COUNT_SECONDS)
    return count


def popular_requests(limit: int) -> list[RequestIdentity]:
    """The `limit` most requested queries (counts as of their last power of two), most requested first."""
    popular = cache.get(f"{settings.API_CACHE_PREFIX}:popular") or {}
    ranked = sorted(popular.values(), key=lambda entry: -entry[0])
    return [identity for _, identity in ranked[:limit]]


@dataclass(frozen=True)
class ReleaseState:
    number: int
    created_at: datetime | None


def latest_release_state() -> ReleaseState:
    """The latest release's number and time, kept in the cache for a few seconds.

    Every public read asks for it, so it is not probed in the database each time; a release made
    in a process that shares this cache clears it at once (forget_latest_release), any other is seen
    within STATE_SECONDS.
    """
    kept = cache.get(STATE_KEY)
    if kept is not None:
        return ReleaseState(*kept)
    latest = latest_release()
    state = ReleaseState(latest.number, latest.created_at) if latest else ReleaseState(0, None)
    cache.set(STATE_KEY, (state.number, state.created_at), STATE_SECONDS)
    return state


def forget_latest_release(**kwargs: Any) -> None:
    """A new release: forget the kept state now, and again once it is committed (a read between the
    two could have kept the state from before the commit). Connected to Release's post_save in
    DatasetConfig.ready(), so every process that makes releases (web and worker) runs it."""
    cache.delete(STATE_KEY)
    transaction.on_commit(lambda: cache.delete(STATE_KEY))


class ReleaseCacheMixin(_View):
    """For DRF views whose GET responses depend only on the URL, the format and the dataset.

    Handlers call `self.cached_or_none(request)` first and return its response when there is one
    (a 304, or a cached body); `finalize_response` then stores fresh 200 bodies and adds the
    validators. Authentication, permissions and throttles have run before either. With
    `count_requests`, every request is counted for the warming of popular queries (count_request).
    """

    count_requests = False

    def cached_or_none(self, request: Request) -> HttpResponseBase | None:
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is None or renderer.format not in CACHEABLE_FORMATS:
            return None  # the browsable HTML names the user and carries a CSRF token: never shared
        state = latest_release_state()
        identity = RequestIdentity.of(request)
        if self.count_requests:
            count_request(identity)
        key = self._cache_key(identity, state)
        self._release_cache = {"state": state, "key": key, "hit": False}
        last_modified = int(state.created_at.timestamp()) if state.created_at else None
        conditional = get_conditional_response(request._request, etag=self._etag(key), last_modified=last_modified)
        if conditional is not None:
            self._release_cache["hit"] = True
            return conditional
        stored = cache.get(key)
        if stored is None:
            return None
        self._release_cache["hit"] = True
        response = HttpResponse(stored["content"], content_type=stored["content_type"])
        response["X-Cache"] = "hit"
        return response

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, cast(Response, response), *args, **kwargs)
        entry = getattr(self, "_release_cache", None)
        if entry is None or request.method not in ("GET", "HEAD"):
            return response
        if response.status_code in (200, 304):
            self._add_validators(response, entry)
        if response.status_code != 200 or entry["hit"]:
            return response
        response["X-Cache"] = "miss"
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _store_when_small(
                cast(Iterator[bytes], response.streaming_content), entry["key"], response["Content-Type"]
            )
        elif isinstance(response, Response):
            response.render()
            if len(response.content) <= CACHE_MAX_BYTES:
                cache.set(
                    entry["key"], {"content": response.content, "content_type": response["Content-Type"]}, CACHE_SECONDS
                )
        return response

    @staticmethod
    def _cache_key(identity: RequestIdentity, state: ReleaseState) -> str:
        """Per release and version of the end marks (dataset/ended.py): a mark added or removed between
        releases changes the answers at once, as it changes the pages."""
        return f"{settings.API_CACHE_PREFIX}:r{state.number}-e{ended.version()}:{identity.digest}"

    @staticmethod
    def _etag(key: str) -> str:
        return '"' + key.split(":", 1)[1].replace(":", "-") + '"'

    def _add_validators(self, response: HttpResponseBase, entry: dict[str, Any]) -> None:
        state = entry["state"]
        response["ETag"] = self._etag(entry["key"])
        if state.created_at is not None:
            response["Last-Modified"] = http_date(state.created_at.timestamp())
        response["Cache-Control"] = f"public, max-age={CLIENT_MAX_AGE}"
        response["X-Release"] = str(state.number)


def _store_when_small(chunks: Iterable[bytes], key: str, content_type: str) -> Iterator[bytes]:
    """Pass a streamed body through unchanged, keeping a copy only while it stays under the limit."""
    kept: list[bytes] | None = []
    size = 0
    for chunk in chunks:
        if kept is not None:
            size += len(chunk)
            if size <= CACHE_MAX_BYTES:
                kept.append(chunk)
            else:
                kept = None
        yield chunk
    if kept is not None:
        cache.set(key, {"content": b"".join(kept), "content_type": content_type}, CACHE_SECONDS)
