"""Benchmark of the public data pages on the full dataset, against a static page rendered in the same run.

Run after importing the final JHU global series (about 974k values) into the database that
DATABASE_URL names:  python manage.py import_jhu demo files... && python bench/data_pages.py
Prints, per page, the median time of a request through Django's test client, the number of SQL
queries, and the ratio to the baseline (the About page: base template, no data queries).

Then the pages right after a new release (target: p95 under 100 ms): inside a transaction that is
rolled back at the end (the database is left as it was), a release changes AFTER_RELEASE_VALUES
values, and the first requests that follow are timed: the countries index (AFTER_RELEASE_REQUESTS
requests, its sorts and searches) and the location pages of as many countries, each seen for the
first time. Once as the release leaves the caches (nothing warmed), once after the release's
warm_caches task ran, as it does after every merge.
"""

import math
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.db.models import Exists, F, OuterRef  # noqa: E402
from django.test import Client  # noqa: E402

from dataset.models import Observation, Release  # noqa: E402
from dataset.warming import warm_caches  # noqa: E402
from places.models import Location  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
AFTER_RELEASE_REQUESTS = int(os.environ.get("BENCH_AFTER_RELEASE_REQUESTS", "20"))
AFTER_RELEASE_VALUES = 1000
TARGET_MS = 100
PAGES = [
    ("countries index, first after a release", "/data/", True),
    ("countries index", "/data/"),
    ("countries, sorted by confirmed", "/data/?sort=-confirmed"),
    ("countries, search", "/data/?q=korea"),
    ("location: Italy", "/data/IT/"),
    ("location: Canada (sum of regions)", "/data/CA/"),
    ("provenance: Italy confirmed", "/data/IT/confirmed/provenance/"),
    ("downloads", "/data/downloads/"),
    ("data dictionary", "/data/dictionary/"),
]


def timed(client: Client, url: str, cold: bool = False) -> tuple[float, int]:
    """Median seconds per request and the number of SQL queries of the last one.
    `cold` empties the cache before each request (the first view after a new release)."""
    times, queries = [], []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    for _ in range(REPEAT + 1):
        if cold:
            cache.clear()
        queries.clear()
        start = time.perf_counter()
        with connection.execute_wrapper(count):
            response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return statistics.median(times[1:]), len(queries)


def main() -> None:
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        # LocMemCache keeps 300 entries by default and drops a third when full: a release's warming
        # stores about 1,400 (API answers, country pages, index tables). Redis (production) keeps them.
        settings.CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = 20000
    settings.ALLOWED_HOSTS = ["testserver", urlsplit(settings.SITE_URL).hostname or "localhost"]  # warm_caches
    client = Client()
    try:
        count = Observation.objects.count()
    except DatabaseError:
        count = 0
    if count == 0:
        print("data pages: skipped, the database has no observations (run `make run` or import_jhu first)")
        return
    engine = connection.vendor
    print(f"data pages on {engine}, {count:,} observations, median of {REPEAT} requests")
    baseline, _ = timed(client, "/about/")
    print(f"{'baseline: /about/':40s} {baseline * 1000:8.1f} ms")
    for label, url, *cold in PAGES:
        seconds, queries = timed(client, url, bool(cold))
        print(f"{label:40s} {seconds * 1000:8.1f} ms  {queries:3d} queries  ratio {seconds / baseline:6.1f}x")
    after_a_release(client)


class Rollback(Exception):
    """Raised to roll back the benchmark's releases."""


def new_release() -> Release:
    """A release that changes AFTER_RELEASE_VALUES values (the latest date's values of the first series),
    as a merge would: the values, their release, and the release row whose post_save forgets the kept state."""
    release = Release.objects.create(number=Release.next_number(), description="benchmark release (rolled back)")
    changed = list(
        Observation.objects.order_by("-date", "location_id", "metric_id").values_list("pk", flat=True)[
            :AFTER_RELEASE_VALUES
        ]
    )
    for pk in changed:
        Observation.objects.filter(pk=pk).update(value=F("value") + 1, release=release)
    return release


def first_requests(client: Client, urls: list[str]) -> list[float]:
    """Seconds of each request, in order (each URL asked once)."""
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def p95(times: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def after_a_release(client: Client) -> None:
    """p95 and worst of the first requests after a release, without and with the release's warming."""
    n = AFTER_RELEASE_REQUESTS
    index_urls = ["/data/", "/data/?sort=-confirmed", "/data/?sort=-deaths", "/data/?q=korea", "/data/?sort=-latest"]
    index_urls = [index_urls[i % len(index_urls)] for i in range(n)]  # readers arriving one after another
    with_data = Exists(Observation.objects.filter(location=OuterRef("pk")))
    countries = list(
        Location.objects.filter(with_data, level=Location.Level.COUNTRY).order_by("key").values_list("key", flat=True)
    )[: 2 * n]
    print(f"\nright after a release of {AFTER_RELEASE_VALUES:,} changed values: the first {n} requests of each page")
    print(f"{'':44s} {'p95 ms':>8} {'worst ms':>9} {'first ms':>9}")
    try:
        with transaction.atomic():
            for warmed, pages in ((False, countries[:n]), (True, countries[n:])):
                release = new_release()
                if warmed:
                    started = time.perf_counter()
                    outcome = warm_caches(release)
                    print(
                        f"  warm_caches: {outcome.stored} API answers stored in {time.perf_counter() - started:.1f} s"
                    )
                for label, urls in (
                    ("countries index", index_urls),
                    ("location pages", [f"/data/{key}/" for key in pages]),
                ):
                    times = first_requests(client, urls)
                    name = f"{label}, {'warmed by the release' if warmed else 'nothing warmed'}"
                    verdict = "met" if p95(times) * 1000 < TARGET_MS else "NOT met"
                    print(
                        f"{name:44s} {p95(times) * 1000:8.1f} {max(times) * 1000:9.1f} {times[0] * 1000:9.1f}"
                        f"  (target p95 < {TARGET_MS} ms: {verdict})"
                    )
            raise Rollback
    except Rollback:
        pass
    cache.clear()


if __name__ == "__main__":
    main()
