"""Answers to observation queries on one whole series, from the series kept ready in the cache.

Most queries name one place and one metric (`?location=IT&metric=confirmed`, with or without a date
range, an ordering, a format). Such a query is answered from the series' *payload*: its rows already
written as JSON objects and as CSV lines, with their days, so a date range is two binary searches
and the body is slices joined. The bytes are those the database path writes (tests/dataset/api/
test_series_answers.py compares them for every parameter this path accepts).

A payload belongs to a version of its series, not to a release: `(last release that wrote a value of
the series, number of values, sum of their release numbers)`, which changes whenever a value of the
series is written, added or removed. The table of every series' version for a release is built
once per release by the warming task (`build_versions`, one GROUP BY) and kept in the cache under the
release's number, so a release invalidates the payloads of the series it changed and no other:
`warm_series` then writes the payloads that are missing (all of them once, then only the changed
ones). A payload missing from the cache is written by the first query that needs it (one query for
the whole series). Without the release's version table (not warmed yet, or evicted), queries take the
database path: correct, only slower.
"""

import bisect
import csv
import io
import re
import zlib
from array import array
from collections import OrderedDict
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import HttpResponse
from rest_framework.request import Request

from .. import ended, vintages
from ..models import Observation, Release
from ..selectors import latest_release
from .caching import ReleaseState
from .filters import split_list
from .serializers import OBSERVATION_FIELDS, observation_json_rows
from .streaming import CSV_COLUMNS, csv_number

VERSIONS_SECONDS = 7 * 24 * 60 * 60
PAYLOAD_SECONDS = 30 * 24 * 60 * 60
# Parameters this path understands; any other (source, as_of, include_subregions, cursor...) takes the
# database path.
ACCEPTED = frozenset({"location", "metric", "date_from", "date_to", "ordering", "page_size", "format"})
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Payloads kept in each process besides the shared cache (they never change: a new version is a new key).
LOCAL_BYTES = 48 * 1024 * 1024
BUILD_CHUNK_SERIES = 50


def _prefix() -> str:
    return f"{settings.API_CACHE_PREFIX}:series"


def last_versions_key() -> str:
    """The version table the last warming wrote payloads for: the next warming writes only the new versions."""
    return f"{_prefix()}:versions:last"


def versions_key(release: ReleaseState) -> str:
    """The release's number and time: never another database's release of the same number."""
    stamp = int(release.created_at.timestamp() * 1_000_000) if release.created_at else 0
    return f"{_prefix()}:versions:r{release.number}-{stamp}"


def payload_key(location_id: int, metric_id: int, version: str) -> str:
    return f"{_prefix()}:{location_id}:{metric_id}:{version}"


# ---- the per-release table of series versions ----------------------------------------------------


def build_versions(release: Release) -> dict[tuple[str, str], tuple[int, int, str]] | None:
    """Every series' version as of now, stored for `release` when it is still the latest release once
    read (None otherwise): {(location key, metric code): (location id, metric id, version)}.

    A version names the last release that wrote a value of the series by its number and time, so a
    payload is never taken for another database's series."""
    times = {
        number: int(at.timestamp() * 1_000_000) for number, at in Release.objects.values_list("number", "created_at")
    }
    rows = (
        vintages.current(Observation.objects.all())
        .values("location_id", "metric_id", "location__key", "metric__code")
        .annotate(last=Max("release__number"), count=Count("id"), total=Sum("release__number"))
        .order_by()
        .values_list("location__key", "metric__code", "location_id", "metric_id", "last", "count", "total")
    )
    table = {
        (key, code): (lid, mid, f"v{last}-{times.get(last, 0)}-{count}-{total}")
        for key, code, lid, mid, last, count, total in rows
    }
    latest = latest_release()
    if latest is None or latest.pk != release.pk:
        return None
    key = versions_key(ReleaseState(release.number, release.created_at))
    cache.set(key, table, VERSIONS_SECONDS)
    _LOCAL_VERSIONS.clear()
    _LOCAL_VERSIONS[key] = table
    return table


_LOCAL_VERSIONS: dict[str, dict[tuple[str, str], tuple[int, int, str]]] = {}


def versions(release: ReleaseState) -> dict[tuple[str, str], tuple[int, int, str]] | None:
    """The version table of `release` (kept in this process once read), None when not built."""
    key = versions_key(release)
    table = _LOCAL_VERSIONS.get(key)
    if table is None:
        table = cache.get(key)
        if table is None:
            return None
        _LOCAL_VERSIONS.clear()
        _LOCAL_VERSIONS[key] = table
    return table


def forget_local() -> None:
    """Drop what this process keeps besides the cache (for tests that empty the cache)."""
    _LOCAL_VERSIONS.clear()
    _LOCAL_PAYLOADS.clear()
    _LOCAL_ENDS.clear()


# ---- payloads ------------------------------------------------------------------------------------


class Payload:
    """One series' rows, written: `days` (date ordinals, ascending), the JSON objects (each followed by
    a comma) and CSV lines as one text each with the offsets of their rows (row i is
    text[offsets[i]:offsets[i + 1]])."""

    __slots__ = ("csv", "csv_offsets", "days", "json", "json_offsets")

    def __init__(self, days: list[int], json_rows: list[str], csv_rows: list[str]):
        self.days = days
        self.json, self.json_offsets = _joined(json_rows)
        self.csv, self.csv_offsets = _joined(csv_rows)

    def __getstate__(self) -> bytes:
        """Compact in the cache: the two texts and three number lists, compressed together."""
        numbers = b"".join(array("i", column).tobytes() for column in (self.days, self.json_offsets, self.csv_offsets))
        return zlib.compress(
            len(self.days).to_bytes(4, "little") + numbers + "\x00".join((self.json, self.csv)).encode(), 1
        )

    def __setstate__(self, state: bytes) -> None:
        data = zlib.decompress(state)
        n = int.from_bytes(data[:4], "little")
        columns = array("i", data[4 : 4 + 4 * (3 * n + 2)]).tolist()
        self.days, self.json_offsets, self.csv_offsets = columns[:n], columns[n : 2 * n + 1], columns[2 * n + 1 :]
        self.json, self.csv = data[4 + 4 * (3 * n + 2) :].decode().split("\x00", 1)

    @property
    def size(self) -> int:
        return len(self.json) + len(self.csv) + 24 * len(self.days)


def _joined(parts: list[str]) -> tuple[str, list[int]]:
    offsets, position = [0], 0
    for part in parts:
        position += len(part)
        offsets.append(position)
    return "".join(parts), offsets


def write_payload(rows: list[tuple[Any, ...]]) -> Payload:
    """A payload from one series' `values_list(*OBSERVATION_FIELDS)` rows in date order, each row written
    as the database path writes it (observation_json_rows, the CSV writer)."""
    json_rows = [text + "," for text in observation_json_rows(rows)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    ends = []
    for day, location, metric, value, source, release in rows:
        writer.writerow((day, location, metric, csv_number(value), source, release))
        ends.append(buffer.tell())
    text = buffer.getvalue()
    csv_rows = [text[start:end] for start, end in zip([0, *ends][:-1], ends, strict=True)]
    return Payload([row[0].toordinal() for row in rows], json_rows, csv_rows)


class _LocalPayloads:
    """A small LRU of payloads in this process, bounded by their size."""

    def __init__(self, limit: int):
        self.limit, self.size, self.entries = limit, 0, OrderedDict[str, Payload]()

    def get(self, key: str) -> Payload | None:
        payload = self.entries.get(key)
        if payload is not None:
            self.entries.move_to_end(key)
        return payload

    def put(self, key: str, payload: Payload) -> None:
        if key in self.entries or payload.size > self.limit:
            return
        self.entries[key] = payload
        self.size += payload.size
        while self.size > self.limit:
            _, old = self.entries.popitem(last=False)
            self.size -= old.size

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


_LOCAL_PAYLOADS = _LocalPayloads(LOCAL_BYTES)


_LOCAL_ENDS: dict[int, dict[tuple[int, int], date]] = {}


def series_ends() -> dict[tuple[int, int], date]:
    """{(location id, metric id): first date without data} of the series marked ended, read once per
    version of the marks in this process."""
    current = ended.version()
    ends = _LOCAL_ENDS.get(current)
    if ends is None:
        ends = ended.end_dates()
        _LOCAL_ENDS.clear()
        _LOCAL_ENDS[current] = ends
    return ends


def with_end(version: str, end: date | None) -> str:
    """A series' payload version with its end (a payload holds no row from the end on)."""
    return f"{version}-e{end.isoformat()}" if end else version


def _series_rows(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], list[tuple[Any, ...]]]:
    """Every row of each (location id, metric id) series, in date order, none from its end on (dataset/
    ended.py): one query for all of them."""
    observations = vintages.current(ended.without_ended(Observation.objects.all()))
    by_location: dict[int, set[int]] = {}
    for location_id, metric_id in pairs:
        by_location.setdefault(location_id, set()).add(metric_id)
    found: dict[tuple[int, int], list[tuple[Any, ...]]] = {pair: [] for pair in pairs}
    query = observations.filter(location_id__in=list(by_location), metric_id__in={pair[1] for pair in pairs})
    ordered = query.order_by("location_id", "metric_id", "date").values_list(
        "location_id", "metric_id", *OBSERVATION_FIELDS
    )
    for row in ordered:
        rows = found.get((row[0], row[1]))
        if rows is not None:
            rows.append(row[2:])
    return found


def payload(location_id: int, metric_id: int, version: str) -> Payload:
    """The payload of this version of a series: from this process, the cache, or written from the database."""
    key = payload_key(location_id, metric_id, version)
    found = _LOCAL_PAYLOADS.get(key)
    if found is None:
        found = cache.get(key)
        if found is None:
            found = write_payload(_series_rows([(location_id, metric_id)])[(location_id, metric_id)])
            cache.set(key, found, PAYLOAD_SECONDS)
        _LOCAL_PAYLOADS.put(key, found)
    return found


def warm_series(release: Release) -> tuple[int, int]:
    """Build the release's version table and write the series payloads the previous table did not
    name (after an import all of them, after a small release those of the series it changed; a
    payload evicted since is written again by the first query that needs it). Returns (series,
    payloads written); (0, 0) when the release is no longer the latest."""
    previous = cache.get(last_versions_key()) or {}
    table = build_versions(release)
    if table is None:
        return 0, 0
    ends = series_ends()
    known = set(previous.values())
    missing = [(lid, mid, with_end(v, ends.get((lid, mid)))) for lid, mid, v in table.values()]
    missing = [entry for entry in missing if entry not in known]
    written = 0
    for start in range(0, len(missing), BUILD_CHUNK_SERIES):
        chunk = missing[start : start + BUILD_CHUNK_SERIES]
        rows = _series_rows([(lid, mid) for lid, mid, _ in chunk])
        payloads = {}
        for lid, mid, version in chunk:
            try:
                payloads[payload_key(lid, mid, version)] = write_payload(rows[(lid, mid)])
            except ValueError:  # a value JSON cannot hold: such a series is answered by the database path
                continue
        cache.set_many(payloads, PAYLOAD_SECONDS)
        written += len(payloads)
    written_table = {name: (lid, mid, with_end(v, ends.get((lid, mid)))) for name, (lid, mid, v) in table.items()}
    cache.set(last_versions_key(), written_table, VERSIONS_SECONDS)
    return len(table), written


# ---- answering a query ---------------------------------------------------------------------------


def _one(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise LookupError(name)
    return values[0] if values else None


def _day(text: str | None) -> int | None:
    if text is None:
        return None
    if not ISO_DAY.fullmatch(text):
        raise LookupError(text)  # other spellings and errors: the filters' own parsing and messages
    try:
        return date.fromisoformat(text).toordinal()
    except ValueError:
        raise LookupError(text) from None


def answer(request: Request, release: ReleaseState, page_size: int) -> HttpResponse | None:
    """The answer to a query on one whole series (see the module's docstring), or None when the query
    asks for something else, or the release's series are not ready: the caller then reads the database."""
    if not ACCEPTED.issuperset(request.query_params.keys()):
        return None
    renderer = request.accepted_renderer
    if renderer.format == "json":
        indent = renderer.get_indent(request.accepted_media_type or "", {})  # type: ignore[attr-defined]
        if indent is not None or not renderer.compact or renderer.ensure_ascii:  # type: ignore[attr-defined]
            return None
    elif renderer.format != "csv":
        return None
    try:
        locations = split_list(",".join(v for v in request.query_params.getlist("location") if v))
        metrics = split_list(",".join(v for v in request.query_params.getlist("metric") if v))
        first, last = _day(_one(request, "date_from")), _day(_one(request, "date_to"))
        ordering = _one(request, "ordering") or "date"
    except LookupError:
        return None
    if len(locations) != 1 or len(metrics) != 1 or ordering not in ("date", "-date"):
        return None
    table = versions(release)
    if table is None:
        return None
    found = table.get((locations[0].upper(), metrics[0].lower()))
    if found is None:
        return None  # unknown key or code, or no values: the database path says which
    location_id, metric_id, version = found
    series = payload(location_id, metric_id, with_end(version, series_ends().get((location_id, metric_id))))
    start = 0 if first is None else bisect.bisect_left(series.days, first)
    stop = len(series.days) if last is None else bisect.bisect_right(series.days, last)
    stop = max(start, stop)
    if renderer.format == "json" and stop - start > page_size:
        return None  # more than a page: the paginator writes the cursors
    return _response(series, start, stop, renderer.format, reverse=ordering == "-date")


def _response(series: Payload, start: int, stop: int, fmt: str, *, reverse: bool) -> HttpResponse:
    text, offsets = (series.json, series.json_offsets) if fmt == "json" else (series.csv, series.csv_offsets)
    if reverse:
        body = "".join([text[offsets[i] : offsets[i + 1]] for i in range(stop - 1, start - 1, -1)])
    else:
        body = text[offsets[start] : offsets[stop]]
    if fmt == "json":
        content = '{"next":null,"previous":null,"results":[' + body[:-1] + "]}"
        response = HttpResponse(content.encode(), content_type="application/json")
    else:
        response = HttpResponse((",".join(CSV_COLUMNS) + "\n" + body).encode(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="observations.csv"'
    response["X-Cache"] = "series"
    return response
