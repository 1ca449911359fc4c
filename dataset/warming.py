"""Warming the caches a release empties, so that the first reader after a release does not pay for it.

Public reads are cached per release (dataset/api/caching.py for the API, selectors.country_index for
the countries index): a new release makes every earlier entry unreachable. The warm_caches task
(dataset/tasks.py), queued after each merge, fills the new release's entries at once:

- every series' payload that the cache lacks (dataset/api/series_answers.py: after a small release,
  those of the series it changed), from which any query on one whole series is answered;
- the API queries readers ask most (the POPULAR_WARMED most requested, counted per query by the API);
- every country's confirmed and deaths series from the API, as JSON and as CSV;
- the countries index: its summaries (each country's latest values: the page's costly part), its
  table rendered in every sort and every language, and its list of other places with data;
- every country's page: what it reads from the observations (series, regions, values per source, last
  change) and its series and regions sections, rendered in every language (settings.LANGUAGES: the
  fragments are cached per language; the data they read is computed once).

API answers are the same in every language: they are warmed once.

API requests are replayed through the API's own view, as a reader's request would run (throttles
aside), with SITE_URL's scheme and host: the `next` links in a cached body name them. Entries are
written only while the release is the latest, under its number; a newer release's task warms for it.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.http.request import split_domain_port, validate_host
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from places.models import Location, Metric

from . import ended, kept, overview, selectors
from .api import series_answers
from .api.caching import STATE_KEY, RequestIdentity, latest_release_state, popular_requests
from .models import Observation, Release

logger = logging.getLogger(__name__)

POPULAR_WARMED = 50
COUNTRY_METRICS = ("confirmed", "deaths")
COUNTRY_FORMATS = ("json", "csv")
COUNTRY_TABLE = "dataset/_country_table.html"  # the countries index's table, cached per release and sort
LOCATION_FRAGMENTS = ("dataset/_location_series.html", "dataset/_location_regions.html")  # cached per release


@dataclass
class Warmed:
    """What a warming did: API answers computed and stored, found already cached, failed; the index."""

    release: int
    stored: int = 0
    from_series: int = 0
    already_cached: int = 0
    failed: list[str] = field(default_factory=list)
    country_index: bool = False
    location_pages: int = 0
    series: int = 0
    series_written: int = 0
    skipped: str = ""


def warm_caches(release: Release) -> Warmed:
    """Fill the caches of `release` (when it is still the latest): popular API queries, every country's
    confirmed and deaths series, the countries index. Computed afresh, while readers may still be given
    the release before's entries (dataset/kept.py)."""
    with kept.fresh():
        return _warm_caches(release)


def _warm_caches(release: Release) -> Warmed:
    cache.delete(STATE_KEY)  # this process may have kept an older release's number for a few seconds
    warmed = Warmed(release=release.number)
    if latest_release_state().number != release.number:
        warmed.skipped = "a newer release exists; its own task warms the caches"
        return warmed
    # Before the replays below: they are then answered from the payloads, and the version table is ready.
    warmed.series, warmed.series_written = series_answers.warm_series(release)
    host = urlsplit(settings.SITE_URL).netloc or "localhost"
    if validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        _warm_api(warmed)
    else:  # the answers' links would name a host readers cannot use
        warmed.skipped = f"SITE_URL's host {host} is not in ALLOWED_HOSTS: API answers not warmed"
        logger.warning("warm_caches: %s", warmed.skipped)
    for sort in selectors.valid_country_sorts(Metric.objects.all()):
        index = selectors.country_index(sort=sort)
        _render_in_every_language(
            [COUNTRY_TABLE], {"index": index, "search": "", "page_obj": selectors.country_page(index, 1)}
        )
    selectors.special_places_with_data()
    overview.world_overview()  # the home page's map and figures
    warmed.country_index = True
    with_data = Exists(Observation.objects.filter(location=OuterRef("pk")))
    latest = selectors.latest_release()
    for country in Location.objects.filter(with_data, level=Location.Level.COUNTRY).select_related("parent"):
        data = selectors.location_page_data(country)
        context = {
            "location": country,
            "latest_release": latest,
            "ended_version": ended.version(),
            "vintage": None,
            "series": data["series"],
            "chart_data": {
                "location": country.name,
                "release": latest.number if latest else 0,
                "series": data["charts"],
            },
            "subregions": data["subregions"],
        }
        _render_in_every_language(LOCATION_FRAGMENTS, context)
        warmed.location_pages += 1
    return warmed


def _render_in_every_language(templates: Sequence[str], context: dict[str, Any]) -> None:
    """Render `templates` (whose {% cache %} keys name the language) once in each of settings.LANGUAGES:
    the first reader of any language after a release is given the stored fragment."""
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            for template in templates:
                render_to_string(template, context)


def _warm_api(warmed: Warmed) -> None:
    seen: set[str] = set()
    for identity in [*popular_requests(POPULAR_WARMED), *country_series_requests()]:
        if identity.digest in seen:
            continue
        seen.add(identity.digest)
        outcome = replay(identity)
        if outcome == "miss":
            warmed.stored += 1
        elif outcome == "series":  # answered from the series' payload (written above)
            warmed.from_series += 1
        elif outcome == "hit":
            warmed.already_cached += 1
        else:
            warmed.failed.append(f"{identity.path}?{identity.query} ({identity.media}): {outcome}")
    if warmed.failed:
        failed = len(warmed.failed)
        logger.warning("warm_caches: release %s, %d requests failed, e.g. %s", warmed.release, failed, warmed.failed[0])


def country_series_requests() -> list[RequestIdentity]:
    """The API requests for each country's own series of COUNTRY_METRICS, in each of COUNTRY_FORMATS
    (`?location=IT&metric=confirmed`, the form the API's documentation shows)."""
    path = reverse("observation-list")
    requests = []
    for metric in Metric.objects.filter(code__in=COUNTRY_METRICS).order_by("code"):
        has_series = Exists(Observation.objects.filter(location=OuterRef("pk"), metric=metric))
        keys = Location.objects.filter(has_series, level=Location.Level.COUNTRY).order_by("key")
        for key in keys.values_list("key", flat=True):
            for media in COUNTRY_FORMATS:
                query = [("location", key), ("metric", metric.code)] + ([("format", "csv")] if media == "csv" else [])
                requests.append(RequestIdentity(path, "&".join(f"{k}={v}" for k, v in sorted(query)), media))
    return requests


def replay(identity: RequestIdentity) -> str:
    """Run one API request through its view (throttles left out) and read its body, which the view's
    release cache stores: "miss" (computed and stored), "hit" (already cached) or what went wrong."""
    try:
        match = resolve(identity.path)
    except Resolver404:
        return "no such path"
    view_class = getattr(match.func, "cls", None)
    if view_class is None:
        return "not an API view"
    actions, initkwargs = getattr(match.func, "actions", None), getattr(match.func, "initkwargs", {})
    initkwargs = {**initkwargs, "throttle_classes": []}
    view = view_class.as_view(actions, **initkwargs) if actions else view_class.as_view(**initkwargs)
    site = urlsplit(settings.SITE_URL)
    accept = "text/csv" if identity.media == "csv" else "application/json"
    request = RequestFactory(HTTP_HOST=site.netloc or "localhost").get(
        f"{identity.path}?{identity.query}", secure=site.scheme == "https", HTTP_ACCEPT=accept
    )
    try:
        response = view(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and not response.streaming:
            response.render()
        # Read whole (a streamed body is stored once read); not closed: close() would announce the end of
        # a request (request_finished), which closes the database connection between two replays.
        body = b"".join(response.streaming_content) if response.streaming else response.content
    except Exception as error:  # a request that fails for a reader fails here too: logged, not fatal
        logger.exception("warm_caches: %s?%s failed", identity.path, identity.query)
        return f"{error.__class__.__name__}: {error}"
    if response.status_code != 200:
        return f"status {response.status_code}: {body[:200]!r}"
    return response.get("X-Cache", "not cached")
