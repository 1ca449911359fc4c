"""Benchmark: merge 100k values (half new, half changed) into a dataset of 1M, against a bare upsert.

The baseline, measured in the same run on the same database, is what any loader must at least do:
stage the same 100k rows in a temporary table (PostgreSQL: COPY; SQLite: executemany) and upsert
them into a bare table with the same unique key holding the same 1M rows, in one transaction
(`INSERT ... ON CONFLICT (location_id, metric_id, date) DO UPDATE`, on both engines). The merge does
more (history of each changed value, provenance, priority rule, release, compare-and-set, the audit
row, one transaction under a lock): the target is at most 2x the baseline, on each engine.

    .venv/bin/python bench/merge.py        # SQLite and PostgreSQL (BENCH_ENGINES=sqlite,postgres)
    BENCH_ENGINES=sqlite .venv/bin/python bench/merge.py

Each engine runs in a child process with its own database (a fresh SQLite file; on PostgreSQL
`portal_bench_merge`, dropped and created again), never the developer's. Sizes: BENCH_BASE_VALUES
(1,000,000), BENCH_MERGE_VALUES (100,000); BENCH_REPEATS (3) runs, medians.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import approved_submission, main, peak_rss_mb, print_ratio, setup_django

BASE_VALUES = int(os.environ.get("BENCH_BASE_VALUES", 1_000_000))
MERGE_VALUES = int(os.environ.get("BENCH_MERGE_VALUES", 100_000))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
TARGET_RATIO = 2.0


def reset():
    from django.db import connection

    from dataset.models import Observation, ObservationHistory, Release

    with connection.cursor() as cursor:
        for model in (ObservationHistory, Observation):
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
            else:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
    Release.objects.all().delete()


def base_frame(location_ids, metric_id):
    """1M values: locations × consecutive dates for one metric."""
    import numpy as np
    import pandas as pd

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


def merge_frame(base):
    """Half of the values changed (existing keys), half new (dates after the base's last date)."""
    import numpy as np
    import pandas as pd

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


def _stage(cursor, table, frame):
    """The rows into `table`: COPY on PostgreSQL, executemany on SQLite (what the upsert does too)."""
    import io

    import numpy as np
    from django.db import connection

    columns = frame[["location_id", "metric_id", "date", "value"]]
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        columns.to_csv(buffer, header=False, index=False, date_format="%Y-%m-%d")
        with cursor.cursor.copy(f"COPY {table} (location_id, metric_id, date, value) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
    else:
        dates = np.datetime_as_string(columns["date"].to_numpy().astype("datetime64[D]"), unit="D").tolist()
        ids = columns["location_id"].tolist(), columns["metric_id"].tolist()
        rows = zip(*ids, dates, columns["value"].tolist(), strict=True)
        cursor.executemany(f"INSERT INTO {table} (location_id, metric_id, date, value) VALUES (%s, %s, %s, %s)", rows)


def bare_table(base):
    """The bare table: same columns and unique key as the dataset, holding the same 1M rows."""
    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    kind = ("bigserial", "bigint", "date", "double precision") if postgres else ("integer", "integer", "text", "real")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute(
            f"CREATE TABLE bench_bare (id {kind[0]} PRIMARY KEY, location_id {kind[1]} NOT NULL, "
            f"metric_id {kind[1]} NOT NULL, date {kind[2]} NOT NULL, value {kind[3]} NOT NULL, "
            "UNIQUE (location_id, metric_id, date))"
        )
        _stage(cursor, "bench_bare", base)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_bare")


def baseline(frame) -> float:
    """Stage into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE into the bare table."""
    from django.db import connection, transaction

    postgres = connection.vendor == "postgresql"
    kind = ("bigint", "date", "double precision") if postgres else ("integer", "text", "real")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_stage")
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_stage (location_id {kind[0]}, metric_id {kind[0]}, date {kind[1]}, "
            f"value {kind[2]})"
        )
        _stage(cursor, "bench_stage", frame)
        cursor.execute(
            "INSERT INTO bench_bare (location_id, metric_id, date, value) "
            "SELECT location_id, metric_id, date, value FROM bench_stage WHERE TRUE "  # WHERE: SQLite's upsert syntax
            "ON CONFLICT (location_id, metric_id, date) DO UPDATE SET value = excluded.value"
        )
        cursor.execute("DROP TABLE bench_stage")
    return time.perf_counter() - start


def run_merge(frame, source, submitter) -> tuple[float, object]:
    from review import merge

    submission = approved_submission(frame, source=source, submitter=submitter)
    start = time.perf_counter()
    release = merge.run(submission_id=submission.pk)
    elapsed = time.perf_counter() - start
    return elapsed, release


def child():
    import numpy as np

    setup_django()
    from django.db import connection

    from accounts.models import User
    from dataset.upsert import upsert_observations
    from places.models import Location, Metric
    from review import merge
    from sources.models import Source

    # The exports of the new release run on their own queue in production, not inside the merge.
    merge._after_merge = lambda submission_id, release_id: None
    location_ids = np.array(Location.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    metric_id = Metric.objects.get(code="confirmed").pk
    source = Source.objects.create(
        name="Bench source",
        institution="Bench",
        institution_type=Source.InstitutionType.MINISTRY,
        url="https://bench.example.org/merge",
        priority=100,
    )
    submitter = User.objects.create(username="bench-merge", email="bench-merge@example.org")
    base = base_frame(location_ids, metric_id)
    frame = merge_frame(base)
    half = MERGE_VALUES // 2
    print(f"  dataset {len(base):,} values; merging {len(frame):,} ({half:,} changed, {len(frame) - half:,} new)")
    merges, bares = [], []
    for _ in range(REPEATS):
        reset()
        upsert_observations(base, source=source, description="bench base", schedule_exports=False)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE dataset_observation")  # autovacuum's job on a live server
        elapsed, release = run_merge(frame, source, submitter)
        assert release.values_added == len(frame) - half, release.values_added
        assert release.values_changed == half, release.values_changed
        merges.append(elapsed)
        bare_table(base)
        bares.append(baseline(frame))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
    print_ratio(
        engine=connection.vendor,
        values=len(frame),
        repeats=REPEATS,
        name="merge",
        times=merges,
        baseline=f"staged, then INSERT ... ON CONFLICT DO UPDATE into a bare table of the same {len(base):,} rows",
        baselines=bares,
        ratio="merge/baseline",
        target=f" (target <= {TARGET_RATIO})",
        memory=f"{peak_rss_mb():.0f} MB",
    )


if __name__ == "__main__":
    main(Path(__file__), "portal_bench_merge", child)
