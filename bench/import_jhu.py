"""Benchmark: `import_jhu` of the final JHU global series (about 974k values) into an empty database.

Baseline, measured in the same run on the same database: load the same rows into a bare table with
the same columns and unique key: COPY on PostgreSQL, executemany in one transaction on SQLite.
The import does more (parses and checks three CSV files, places 290 rows on locations, stages,
compares, writes provenance and a release, keeps JHU's rows for the export). Targets: at most 2×
the baseline on PostgreSQL, peak memory of the import at most 1 GB.

    .venv/bin/python bench/import_jhu.py        # SQLite and PostgreSQL (BENCH_ENGINES=sqlite,postgres)
"""

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import jhu_files, main, peak_rss_mb, print_ratio, setup_django

REPEATS = 3


def reset():
    from django.db import connection

    from dataset.models import JhuRow, Observation, ObservationHistory, Release
    from places.models import Location, LocationAlias
    from places.reference import SPECIAL_LOCATIONS

    with connection.cursor() as cursor:
        for model in (ObservationHistory, Observation):
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
            else:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
    JhuRow.objects.all().delete()
    Release.objects.all().delete()
    LocationAlias.objects.filter(scheme="jhu").delete()
    specials = [key for key, _, _ in SPECIAL_LOCATIONS]
    created = Location.objects.filter(iso_3166_2="", parent__isnull=False).exclude(key__in=specials)
    created.filter(level="subregion").delete()
    created.delete()


def import_once() -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("import_jhu", "--no-exports", *map(str, jhu_files()), stdout=io.StringIO())
    return time.perf_counter() - start


def same_rows():
    """The values of the three files as plain rows (row number as location id), read outside the timing."""
    import numpy as np
    import pandas as pd

    frames = []
    for metric_id, path in enumerate(jhu_files(), start=1):
        wide = pd.read_csv(path, dtype=str, keep_default_na=False)
        values = wide.iloc[:, 4:].astype("float64").to_numpy()
        dates = pd.to_datetime(wide.columns[4:], format="%m/%d/%y").to_numpy().astype("datetime64[D]")
        frames.append(
            pd.DataFrame(
                {
                    "location_id": np.repeat(np.arange(len(wide)), len(dates)),
                    "metric_id": metric_id,
                    "date": np.tile(dates, len(wide)),
                    "value": values.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def baseline_once(rows) -> float:
    import numpy as np
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        kind = (
            ("bigint", "date", "double precision") if connection.vendor == "postgresql" else ("integer", "text", "real")
        )
        cursor.execute(
            f"CREATE TABLE bench_bare (location_id {kind[0]} NOT NULL, metric_id {kind[0]} NOT NULL, "
            f"date {kind[1]} NOT NULL, value {kind[2]} NOT NULL, UNIQUE (location_id, metric_id, date))"
        )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            rows.to_csv(buffer, header=False, index=False)
            with cursor.cursor.copy("COPY bench_bare FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        else:
            dates = np.datetime_as_string(rows["date"].to_numpy(), unit="D").tolist()
            cursor.executemany(
                "INSERT INTO bench_bare VALUES (%s, %s, %s, %s)",
                zip(
                    rows["location_id"].tolist(), rows["metric_id"].tolist(), dates, rows["value"].tolist(), strict=True
                ),
            )
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare")
    return elapsed


def child():
    setup_django()
    from django.db import connection

    from dataset.models import Observation

    rss_before = peak_rss_mb()
    imports = []
    for _ in range(REPEATS):
        reset()
        imports.append(import_once())
    rss_import = peak_rss_mb()
    count = Observation.objects.count()
    rows = same_rows()
    assert len(rows) == count, (len(rows), count)
    baselines = [baseline_once(rows) for _ in range(REPEATS)]
    bulk = "COPY" if connection.vendor == "postgresql" else "executemany"
    print_ratio(
        engine=connection.vendor,
        values=count,
        repeats=REPEATS,
        name="import_jhu",
        times=imports,
        baseline=f"{bulk} into a bare table with the same unique key",
        baselines=baselines,
        ratio="import/baseline",
        target=" (target <= 2.0)" if connection.vendor == "postgresql" else "",
        memory=f"{rss_import:.0f} MB (before importing: {rss_before:.0f} MB; target <= 1024)",
    )


if __name__ == "__main__":
    main(Path(__file__), "portal_bench_data", child)
