"""Benchmark: merge 100k values (half new, half changed) into a dataset of 1M, against a bare upsert.

The baseline, measured in the same run on the same server, is what any loader must at least do:
COPY the same 100k rows into a temporary table and `INSERT ... ON CONFLICT DO UPDATE` them into a
bare table with the same unique key and the same 1M rows. The merge does more (history of each
changed value, provenance, priority rule, release, compare-and-set, one transaction under a lock):
the target is at most 2× the baseline.

    .venv/bin/python bench/merge.py     (part of `make bench`)

It always works in its own database, BENCH_MERGE_DATABASE_URL (default portal_bench_merge on the
local server, created when missing), never in DATABASE_URL's: it migrates it and empties its
observations. Without a reachable PostgreSQL server it says so and exits 0.
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
BENCH_DB = os.environ.get("BENCH_MERGE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_merge")
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.pop("REDIS_URL", None)  # tasks inline: nothing of this run reaches a broker


def ensure_database() -> bool:
    """Create the benchmark's database when missing; False when no PostgreSQL server answers."""
    import psycopg
    from psycopg import sql

    server, _, name = BENCH_DB.rpartition("/")
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        print(f"bench/merge.py skipped: PostgreSQL not reachable at {server} ({exc})")
        return False
    return True


if __name__ == "__main__" and not ensure_database():
    sys.exit(0)

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

BASE_VALUES = int(os.environ.get("BENCH_BASE_VALUES", 1_000_000))
MERGE_VALUES = int(os.environ.get("BENCH_MERGE_VALUES", 100_000))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))


def setup_database():
    from dataset.models import Observation, ObservationHistory, Release
    from places.models import Location
    from places.reference import load_reference_data

    call_command("migrate", verbosity=0, interactive=False)
    if not Location.objects.exists():
        load_reference_data()
    with connection.cursor() as cursor:
        for model in (ObservationHistory, Observation):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    Release.objects.all().delete()


def base_frame(location_ids, metric_id) -> pd.DataFrame:
    """1M values: locations × consecutive dates for one metric."""
    per_location = BASE_VALUES // len(location_ids)
    dates = pd.date_range("2020-01-22", periods=per_location)
    frame = pd.DataFrame(
        {
            "location_id": np.repeat(location_ids, per_location),
            "metric_id": metric_id,
            "date": np.tile(dates.to_numpy(), len(location_ids)),
        }
    )
    frame["value"] = np.arange(len(frame), dtype="float64")
    return frame


def merge_frame(base: pd.DataFrame) -> pd.DataFrame:
    """Half of the values changed (existing keys), half new (dates after the base's last date)."""
    half = MERGE_VALUES // 2
    changed = base.sample(half, random_state=1).copy()
    changed["value"] += 0.5
    last = base["date"].max()
    location_ids = base["location_id"].unique()
    per_location = -(-half // len(location_ids))
    new = pd.DataFrame(
        {
            "location_id": np.repeat(location_ids, per_location),
            "metric_id": base["metric_id"].iloc[0],
            "date": np.tile(
                pd.date_range(last + pd.Timedelta(days=1), periods=per_location).to_numpy(), len(location_ids)
            ),
        }
    ).head(half)
    new["value"] = 1.0
    return pd.concat([changed, new], ignore_index=True)


def bare_table(base: pd.DataFrame):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute(
            "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, location_id bigint NOT NULL, "
            "metric_id bigint NOT NULL, date date NOT NULL, value double precision NOT NULL, "
            "UNIQUE (location_id, metric_id, date))"
        )
        copy_into(cursor, "bench_bare", base)
        cursor.execute("ANALYZE bench_bare")


def copy_into(cursor, table, frame):
    buffer = io.StringIO()
    columns = frame[["location_id", "metric_id", "date", "value"]]
    columns.to_csv(buffer, header=False, index=False, date_format="%Y-%m-%d")
    with cursor.cursor.copy(f"COPY {table} (location_id, metric_id, date, value) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def baseline(frame) -> float:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE into the bare table."""
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_stage "
            "(location_id bigint, metric_id bigint, date date, value double precision) ON COMMIT DROP"
        )
        copy_into(cursor, "bench_stage", frame)
        cursor.execute(
            "INSERT INTO bench_bare (location_id, metric_id, date, value) SELECT * FROM bench_stage "
            "ON CONFLICT (location_id, metric_id, date) DO UPDATE SET value = EXCLUDED.value"
        )
    return time.perf_counter() - start


def run_merge(frame, source, submitter, tmp_media) -> tuple[float, object]:
    from contributions.models import Submission
    from review import merge
    from tests.review.builders import store_parquet

    with override_settings(MEDIA_ROOT=tmp_media):
        submission = Submission.objects.create(
            kind=Submission.Kind.DATA,
            submitter=submitter,
            source=source,
            status=Submission.Status.APPROVED,
            approved_at=timezone.now(),
            normalised_path=store_parquet(frame),
            row_count=len(frame),
        )
        start = time.perf_counter()
        release = merge.run(submission_id=submission.pk)
        elapsed = time.perf_counter() - start
    return elapsed, release


def main():
    import tempfile

    from accounts.models import User
    from dataset.upsert import upsert_observations
    from places.models import Location, Metric
    from sources.models import Source

    if connection.vendor != "postgresql":
        sys.exit("bench/merge.py measures PostgreSQL: BENCH_MERGE_DATABASE_URL must be postgres://...")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from portal.celery import app

    app.conf.task_always_eager = True
    # The exports of the new release run on their own queue in production, not inside the merge.
    from review import merge

    merge._after_merge = lambda submission_id, release_id: None
    setup_database()
    location_ids = np.array(Location.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    metric_id = Metric.objects.get(code="confirmed").pk
    source = Source.objects.filter(url_normalised="https://bench.example.org/merge").first() or Source.objects.create(
        name="Bench source",
        institution="Bench",
        institution_type=Source.InstitutionType.MINISTRY,
        url="https://bench.example.org/merge",
        priority=100,
    )
    submitter, _ = User.objects.get_or_create(username="bench-merge", defaults={"email": "bench-merge@example.org"})
    base = base_frame(location_ids, metric_id)
    frame = merge_frame(base)
    print(
        f"dataset {len(base):,} values; merging {len(frame):,} ({MERGE_VALUES // 2:,} changed, "
        f"{len(frame) - MERGE_VALUES // 2:,} new); best of {REPEATS}"
    )
    merge_times, bare_times = [], []
    with tempfile.TemporaryDirectory() as tmp_media:
        for _ in range(REPEATS):
            setup_database()
            upsert_observations(base, source=source, description="bench base", schedule_exports=False)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE dataset_observation")
            elapsed, release = run_merge(frame, source, submitter, tmp_media)
            assert release.values_added == len(frame) - MERGE_VALUES // 2, release.values_added
            assert release.values_changed == MERGE_VALUES // 2, release.values_changed
            merge_times.append(elapsed)
            bare_table(base)
            bare_times.append(baseline(frame))
    merge_best, bare_best = min(merge_times), min(bare_times)
    runs = ", ".join(f"{t:.2f}" for t in merge_times)
    print(f"merge (review.merge.run):            {merge_best:7.2f} s  (runs: {runs})")
    runs = ", ".join(f"{t:.2f}" for t in bare_times)
    print(f"bare COPY + INSERT ... ON CONFLICT:   {bare_best:7.2f} s  (runs: {runs})")
    ratio = merge_best / bare_best
    print(f"ratio merge / bare upsert: {ratio:.2f}x (target <= 2x) {'OK' if ratio <= 2 else 'OVER TARGET'}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
    return ratio


if __name__ == "__main__":
    main()
