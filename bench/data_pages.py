"""Benchmark of the public data pages on the full dataset, against a static page rendered in the same run.

Run after importing the final JHU global series (about 974k values) into the database that
DATABASE_URL names:  python manage.py import_jhu demo files... && python bench/data_pages.py
Prints, per page, the median time of a request through Django's test client, the number of SQL
queries, and the ratio to the baseline (the About page: base template, no data queries).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import DatabaseError, connection  # noqa: E402
from django.test import Client  # noqa: E402

from dataset.models import Observation  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
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
    settings.ALLOWED_HOSTS = ["testserver"]
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


if __name__ == "__main__":
    main()
