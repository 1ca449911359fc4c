"""Benchmark: how costs grow with the dataset, at 1M, 3M and 10M values (issue 16, "Growth, measured").

Each size gets a fresh database filled with generated values that have the real key structure: every
country of the places table, then their ISO 3166-2 subdivisions (by key), each with confirmed,
deaths and recovered over JHU's 1,143 days (1/22/20 to 3/9/23). Each series follows the shape of the
world total of that metric in JHU's final global series (demo_data/jhu/), scaled per place, so no
download is needed. At each size, every step runs in its own process (so its peak memory is its
own, Django included) on the same database, in this order:

- import: `upsert_observations` of all values in one release (what import_jhu does once it has read
  and placed its files), against `bench/import_jhu.py`'s baseline (a bare COPY / executemany into a
  table with the same unique key), measured in the same process. Target: <= 2x at every size.
- merge 100k: an approved submission of 50k changed and 50k new values through `review.merge.run`
  (`snapshot_seconds`: of that, its update of the value snapshot).
- release: a submission of 1,000 changed values merged, then the `dataset.tasks.build_exports` task
  run inline (the exports of the previous release are built first, untimed); disk growth is printed.
  Then three more such releases: the steady state, each after its predecessor's follow-up (which leaves
  the whole value snapshot and its tidy index the next release reads); the median is printed. On
  PostgreSQL the values' table is read into the OS cache first (`prewarm`), as a live server has it.
- validate + diff: one 1M-row long upload (the same rows at every size, 1% changed) through
  parse_file, validate and compute_diff, the first after the release and the best of the next five;
  baseline `pandas.read_csv(engine="pyarrow")`, best of six in the same process. Target: <= 3x.
- API series (one country's confirmed, JSON) with the cache warm and emptied before each request
  (the database path), and queries nobody asked before once the series payloads are written;
  the location page and the countries index, cache warm and emptied; `/api/v1/ping/` for scale.
- JHU export: `write_jhu` against `bench/export_jhu.py`'s baseline (one query, pandas pivot, to_csv).

Targets: import and exports <= 2x their baselines at every size; merge 100k, the release, API
series and page times grow <= 1.5x from the smallest size measured to the largest; peak memory of
any step <= 2 GB at 10M.

    .venv/bin/python bench/scale.py --sizes 1M,3M        # SQLite (a fresh file per size)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_scale .venv/bin/python bench/scale.py

On PostgreSQL the database DATABASE_URL names is dropped and created again for each size when its
name contains "bench" (or BENCH_DISPOSABLE_DATABASE=1 says it may be); otherwise portal_bench_scale
on the same server is used. SQLite runs sizes
up to 3M only (a 10M SQLite file says nothing new).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scale_data import DAYS, START, dataset_frame
from _scale_table import print_table
from _support import ROOT, machine, peak_rss_mb, reset_peak_rss

MERGE_VALUES, RELEASE_VALUES, UPLOAD_ROWS = 100_000, 1_000, 1_000_000
STEADY_SEEDS = (3, 4, 5)  # the steady-state releases after the first one
SQLITE_MAX = 3_000_000
REPEAT = int(os.environ.get("BENCH_REPEAT", 7))
VALIDATE_REPEAT = 5


def bench_source():
    from sources.models import Source

    return Source.objects.get_or_create(
        url="https://bench.example.org/scale",
        defaults={"name": "Bench scale", "institution": "Bench", "institution_type": "ministry", "priority": 100},
    )[0]


def submit(frame) -> float:
    """Merge `frame` as an approved submission (its exports left to the caller); seconds taken."""
    from django.utils import timezone

    from accounts.models import User
    from contributions.models import Submission
    from review import merge
    from tests.review.builders import store_parquet

    merge._after_merge = lambda submission_id, release_id: None  # the exports are measured on their own
    submitter = User.objects.get_or_create(username="bench-scale", defaults={"email": "bench-scale@example.org"})[0]
    submission = Submission.objects.create(
        kind=Submission.Kind.DATA,
        submitter=submitter,
        source=bench_source(),
        status=Submission.Status.APPROVED,
        approved_at=timezone.now(),
        normalised_path=store_parquet(frame),
        row_count=len(frame),
    )
    start = time.perf_counter()
    merge.run(submission_id=submission.pk)
    return time.perf_counter() - start


def disk_mb() -> float:
    from django.conf import settings

    # The release files' store only: the value snapshots under MEDIA_ROOT/cache are a cache of bounded
    # size (the last two releases' arrays, rewritten, not added to), which would hide what a release adds.
    root = Path(settings.EXPORTS_ROOT)
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6 if root.exists() else 0.0


# ---- steps: each runs in its own process and returns its figures ------------------------------


def step_setup(size):
    from django.core.management import call_command

    from places.reference import load_reference_data

    call_command("migrate", verbosity=0, interactive=False)
    load_reference_data()
    return {}


def step_import(size):
    from django.db import connection
    from import_jhu import baseline_once

    from dataset.models import Observation
    from dataset.upsert import upsert_observations

    frame = dataset_frame(size)
    start = time.perf_counter()
    upsert_observations(frame, source=bench_source(), description="bench scale import", schedule_exports=False)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dataset_observation")  # as autovacuum leaves a live table
    return {
        "seconds": seconds,
        "baseline": baseline_once(frame),
        "peak_mb": peak,
        "values": Observation.objects.count(),
    }


def step_merge(size):
    import numpy as np
    import pandas as pd

    frame = dataset_frame(size)
    changed = frame.sample(min(MERGE_VALUES // 2, len(frame)), random_state=1)
    changed = changed.assign(value=changed["value"] + 0.5)
    series = frame.drop_duplicates(["location_id", "metric_id"])
    per_series = -(-(MERGE_VALUES // 2) // len(series))
    new = pd.DataFrame(
        {
            "location_id": np.repeat(series["location_id"].to_numpy(), per_series),
            "metric_id": np.repeat(series["metric_id"].to_numpy(), per_series),
            "date": np.tile(pd.date_range(START, periods=DAYS + per_series)[DAYS:].to_numpy(), len(series)),
            "value": 1.0,
        }
    ).head(MERGE_VALUES // 2)
    del frame
    from dataset import snapshots

    snapshots.current()  # the latest release's value snapshot, as the import's export task leaves it on a site
    prewarm()
    advance, spent = snapshots.advance, []

    def timed_advance(*args, **kwargs):  # the merge's update of the value snapshot, timed on its own
        start = time.perf_counter()
        try:
            return advance(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    snapshots.advance = timed_advance
    seconds = submit(pd.concat([changed, new], ignore_index=True))
    return {"seconds": seconds, "snapshot_seconds": sum(spent), "peak_mb": peak_rss_mb()}


def step_release(size):
    """Releases of 1,000 changed values: the first after the import (it also writes the second value
    snapshot, once), then three in the steady state, as every later release is. Each is the release path
    (the merge and `build_exports`) and then its follow-up (`finish_exports`: checksums, Parquet, JHU),
    timed apart: in production the follow-up runs after the release is visible and its files listed."""
    from unittest import mock

    from dataset import tasks
    from dataset.models import Release

    follow_up = getattr(tasks, "finish_exports", None)  # absent before issue 16's follow-up task

    def build(pk: int) -> float:
        start = time.perf_counter()
        with mock.patch.object(tasks, "dispatch", create=True):  # the follow-up is queued, not run inline
            tasks.build_exports(pk)
        return time.perf_counter() - start

    def finish(pk: int) -> float:
        start = time.perf_counter()
        if follow_up is not None:
            follow_up(pk)
        return time.perf_counter() - start

    latest = Release.objects.latest("number").pk
    build(latest)  # the previous release's exports, as a live site has them (written in full: the import's)
    figures: dict = {"import_exports_peak_mb": peak_rss_mb()}
    finish(latest)
    steady: list[dict] = []
    for seed in (2, *STEADY_SEEDS):
        frame = dataset_frame(size).sample(RELEASE_VALUES, random_state=seed)
        before = disk_mb()
        prewarm()
        merge_seconds = submit(frame.assign(value=frame["value"] + 1))
        latest = Release.objects.latest("number").pk
        exports_seconds = build(latest)
        path_disk = disk_mb() - before
        path_peak = peak_rss_mb()
        own_peak = reset_peak_rss()  # the follow-up's own peak (from the memory the process holds now)
        follow_seconds = finish(latest)
        follow_peak = peak_rss_mb() if own_peak else None
        measured = {
            "seconds": merge_seconds + exports_seconds,
            "merge": merge_seconds,
            "exports": exports_seconds,
            "path_disk_mb": path_disk,
            "path_peak_mb": path_peak,
            "follow_up": follow_seconds,
            "follow_up_peak_mb": follow_peak,
            "disk_mb": disk_mb() - before,
        }
        if seed == 2:
            figures.update(measured)
        else:
            steady.append(measured)
    for key in steady[0]:  # the median release of the steady state, figure by figure (the worst peak)
        values = [m[key] for m in steady if m[key] is not None]
        pick = max if key.endswith("peak_mb") else statistics.median
        figures[f"steady_{key}"] = pick(values) if values else None
    peaks = [value for key, value in figures.items() if key.endswith("peak_mb") and value is not None]
    return {**figures, "peak_mb": max([peak_rss_mb(), *peaks])}


def prewarm() -> None:
    """On PostgreSQL, read the values' table and its indexes into the operating system's cache
    (pg_prewarm), as a live server has them: at 10M values they are 1.5 GB, ten times the default
    shared_buffers, and a merge of 1,000 values reads about 1,000 of their pages. Without it the bench
    would time the disk after the import, not the merge (84 ms against 17 ms for 1,000 lookups at 10M)."""
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT pg_prewarm(c.oid::regclass, 'read') FROM pg_class c "
                "WHERE c.oid = 'dataset_observation'::regclass "
                "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'dataset_observation'::regclass)"
            )
    except DatabaseError as error:  # no such extension on this server: measured as it is
        print(f"pg_prewarm unavailable ({error}); the merge is timed with whatever the caches hold", file=sys.stderr)


def upload_path() -> Path:
    return Path(os.environ["BENCH_TMP"]) / "upload.csv"


def step_upload(size):
    """The 1M-row long upload (the first values of every dataset, 1% changed); not timed."""
    import numpy as np
    import pandas as pd

    from places.models import Location, Metric

    frame = dataset_frame(min(size, UPLOAD_ROWS)).head(UPLOAD_ROWS)
    keys = dict(Location.objects.values_list("pk", "key"))
    codes = dict(Metric.objects.values_list("pk", "code"))
    value = frame["value"].to_numpy() + (np.arange(len(frame)) % 100 == 0)
    pd.DataFrame(
        {
            "date": frame["date"].dt.strftime("%Y-%m-%d"),
            "location": frame["location_id"].map(keys),
            "metric": frame["metric_id"].map(codes),
            "value": value.astype("int64"),
        }
    ).to_csv(upload_path(), index=False)
    return {}


def step_validate(size):
    """The first validation after the release (the first diff of this process reads the release's value
    snapshot), then VALIDATE_REPEAT more as a worker runs them, each after a `read_csv` of the same file;
    the best of each, as bench/validate.py takes them (the machine's slow spells weigh on neither). The
    process has validated the file once before, without a diff: a worker's code and libraries are warm
    when a release comes, only the release's values are new to it."""
    import pandas as pd

    from contributions.diff import compute_diff
    from contributions.parsing import parse_file
    from contributions.validation import validate
    from places.resolver import LocationResolver

    LocationResolver.current()  # reference data loaded, as a long-running worker has it
    source = bench_source()

    def read_csv() -> float:
        start = time.perf_counter()
        pd.read_csv(upload_path(), engine="pyarrow")
        return time.perf_counter() - start

    def validate_and_diff() -> tuple[float, dict]:
        start = time.perf_counter()
        result = validate(parse_file(upload_path()), mapping={"layout": "long"})
        diff = compute_diff(result.frame, source=source, keys=result.keys)
        assert result.is_valid, result.report["counts"]
        return time.perf_counter() - start, diff["counts"]

    baselines = [read_csv()]
    validate(parse_file(upload_path()), mapping={"layout": "long"})
    first, counts = validate_and_diff()
    runs = []
    for _ in range(VALIDATE_REPEAT):
        baselines.append(read_csv())
        runs.append(validate_and_diff()[0])
    return {
        "first_seconds": first,
        "seconds": min(runs),
        "median_seconds": statistics.median(runs),
        "baseline": min(baselines),
        "peak_mb": peak_rss_mb(),
        "diff": counts,
    }


def _median_ms(client, url, *, cold=False) -> float:
    from django.core.cache import cache

    times = []
    for _ in range(REPEAT + 1):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return statistics.median(times[1:]) * 1000


def _series_payload_ms(client) -> float:
    """Queries nobody asked before (Italy's confirmed, each with its own date_to) once the release's
    warming has written the series payloads (dataset/api/series_answers.py)."""
    from dataset.api import series_answers
    from dataset.selectors import latest_release

    series_answers.warm_series(latest_release())
    times = []
    for n in range(REPEAT + 1):
        start = time.perf_counter()
        response = client.get(
            f"/api/v1/observations/?location=IT&metric=confirmed&page_size=2000&date_to=2030-01-{n + 1:02d}"
        )
        times.append(time.perf_counter() - start)
        if response.status_code != 200 or response.get("X-Cache") != "series":
            raise SystemExit(f"series payload query answered {response.status_code} {response.get('X-Cache')}")
    return statistics.median(times[1:]) * 1000


def step_requests(size):
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    series = "/api/v1/observations/?location=IT&metric=confirmed&page_size=2000"
    figures = {
        "ping_ms": _median_ms(client, "/api/v1/ping/"),
        "api_cached_ms": _median_ms(client, series),
        "api_uncached_ms": _median_ms(client, series, cold=True),
        "location_ms": _median_ms(client, "/data/IT/"),
        "location_cold_ms": _median_ms(client, "/data/IT/", cold=True),
        "index_ms": _median_ms(client, "/data/"),
        "index_cold_ms": _median_ms(client, "/data/", cold=True),
        "api_series_ms": _series_payload_ms(client),
    }
    return {**figures, "peak_mb": peak_rss_mb()}


def step_export(size):
    from export_jhu import baseline_once

    from dataset.exports.jhu import write_jhu

    with tempfile.TemporaryDirectory(dir=os.environ["BENCH_TMP"]) as tmp:
        start = time.perf_counter()
        write_jhu(Path(tmp) / "jhu")
        seconds = time.perf_counter() - start
        peak = peak_rss_mb()
        return {"seconds": seconds, "baseline": baseline_once(Path(tmp)), "peak_mb": peak}


STEPS = {
    "setup": step_setup,
    "import": step_import,
    "merge": step_merge,
    "release": step_release,
    "upload": step_upload,
    "validate": step_validate,
    "requests": step_requests,
    "export": step_export,
}


# ---- the driver: one database per size, one process per step, then the table -------------------


def parse_size(text: str) -> int:
    text = text.strip().upper()
    factor = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KM")) * factor)


def database_for(size: int, tmp: str) -> str | None:
    """A fresh database for this size: a new SQLite file, or DATABASE_URL's database dropped and created."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None if size > SQLITE_MAX else f"sqlite:///{tmp}/scale.sqlite3"
    import psycopg

    server, name = url.rsplit("/", 1)
    if "bench" not in name and not os.environ.get("BENCH_DISPOSABLE_DATABASE"):  # never the developer's database
        name, url = "portal_bench_scale", f"{server}/portal_bench_scale"
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def run_step(step: str, size: int, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, "--size", str(size)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_size(size: int, only: set[str] | None = None) -> dict | None:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        url = database_for(size, tmp)
        if url is None:
            print(f"\n== {size:,} values: skipped on SQLite (up to {SQLITE_MAX:,}; use PostgreSQL)", flush=True)
            return None
        env = dict(
            os.environ, DATABASE_URL=url, EXPORTS_ROOT=f"{tmp}/exports", MEDIA_ROOT=f"{tmp}/media", BENCH_TMP=tmp
        )
        env.update(API_THROTTLE_ANON="100000000/hour", API_THROTTLE_USER="100000000/hour", DEBUG="0")
        env.pop("REDIS_URL", None)
        print(f"\n== {size:,} values on {url.split(':', 1)[0]} ==", flush=True)
        results: dict = {}
        for step in STEPS:
            if only and step not in only and step not in ("setup", "import"):
                continue
            start = time.perf_counter()
            results[step] = run_step(step, size, env)
            shown = {k: round(v, 3) if isinstance(v, float) else v for k, v in results[step].items()}
            print(f"  {step:<15} {time.perf_counter() - start:7.1f} s wall  {shown}", flush=True)
            if "error" in results[step] and step in ("setup", "import"):
                break
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SCALE_SIZES", "1M,3M,10M"))
    parser.add_argument("--step", choices=list(STEPS))
    parser.add_argument(
        "--only", help="comma-separated steps to measure after setup and import (e.g. release); all by default"
    )
    parser.add_argument("--size", type=int)
    args = parser.parse_args()
    if args.step:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        print(json.dumps(STEPS[args.step](args.size)))
        return 0
    engine = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(f"Machine: {machine()}; engine: {engine}")
    by_size = {}
    for size in sorted(parse_size(s) for s in args.sizes.split(",") if s.strip()):
        measured = measure_size(size, set(args.only.split(",")) if args.only else None)
        if measured is not None:
            by_size[size] = measured
    if by_size:
        print_table(by_size, engine)
    return 1 if any("error" in r for m in by_size.values() for r in m.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
