"""Benchmark: the `jhu` export (time_series_covid19_<metric>_global.csv) of the whole dataset.

Baseline, measured in the same run on the same database: read the same rows (metric, location,
date, value) with one query, then pandas `pivot` + `to_csv` per metric. The export does more
(JHU's names, coordinates and row order, integers without ".0", formula escaping of text cells).
Target: at most 2× the baseline. The database is filled by `import_jhu` of the final JHU global
series first (not timed).

    .venv/bin/python bench/export_jhu.py        # SQLite and PostgreSQL (BENCH_ENGINES=sqlite,postgres)
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import jhu_files, main, peak_rss_mb, print_ratio, setup_django

REPEATS = 3


def export_once(folder: Path) -> float:
    from dataset.exports.jhu import write_jhu

    start = time.perf_counter()
    write_jhu(folder)
    return time.perf_counter() - start


def baseline_once(folder: Path) -> float:
    import pandas as pd
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT metric_id, location_id, date, value FROM dataset_observation")
        rows = pd.DataFrame(cursor.fetchall(), columns=["metric_id", "location_id", "date", "value"])
    for metric_id, part in rows.groupby("metric_id"):
        table = part.pivot(index="location_id", columns="date", values="value")
        table.to_csv(folder / f"baseline_{metric_id}.csv")
    return time.perf_counter() - start


def child():
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from dataset.models import Observation

    call_command("import_jhu", "--no-exports", *map(str, jhu_files()), stdout=io.StringIO())
    count = Observation.objects.count()
    rss_before = peak_rss_mb()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        exports, baselines = [], []
        for i in range(REPEATS):
            exports.append(export_once(Path(tmp) / f"export{i}"))
            rss_export = peak_rss_mb()
            baselines.append(baseline_once(Path(tmp)))
    print_ratio(
        engine=connection.vendor,
        values=count,
        repeats=REPEATS,
        name="jhu export",
        times=exports,
        baseline="one query + pandas pivot + to_csv",
        baselines=baselines,
        ratio="export/baseline",
        target=" (target <= 2.0)",
        memory=f"{rss_export:.0f} MB (before exporting: {rss_before:.0f} MB)",
    )


if __name__ == "__main__":
    main(Path(__file__), "portal_bench_export", child)
