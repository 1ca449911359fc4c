"""Benchmark: a release of 1,000 changed values on the 1M-value dataset, end to end (merge + snapshot + exports).

The database is filled by `import_jhu` of JHU's final global series (about 1M values) and the
first release's files are built from scratch: that full build is the baseline, measured in the same
run (what every release cost when exports were rebuilt whole). Then BENCH_REPEATS releases, each an
approved submission of 1,000 changed values merged by review.merge.run, followed by the export task
(dataset.tasks.build_exports, run in this process); each is timed from the merge's start to the
files' end, and the disk taken by EXPORTS_ROOT and the value snapshots is measured before and after
(a hard-linked file counted once). Two shapes of change alternate: "recent" (the last 25 days of 40
places, as a daily update revising its last weeks does) and "scattered" (1,000 values drawn at random
over every place, metric and date: the most dates touched). Targets: <= 5 s end to end and <= 5 MB
of disk per release. Last, the first validation after such a release (diff against the snapshot the
merge wrote) against `pandas.read_csv` of the same 1M-row file, in fresh processes as in
bench/validate.py: target <= 3x.

    .venv/bin/python bench/release.py        # SQLite and PostgreSQL (BENCH_ENGINES=sqlite,postgres)
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _support import ROOT, approved_submission, jhu_files, main, peak_rss_mb, setup_django

REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
CHANGED = 1_000
TARGET_SECONDS, TARGET_MB, TARGET_VALIDATE = 5.0, 5.0, 3.0
LATER_RUNS = 5  # fresh processes validating after the first


def disk_bytes(*folders: Path) -> int:
    """Bytes allocated under the folders, each hard-linked file once."""
    seen, total = set(), 0
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                stat = os.lstat(os.path.join(dirpath, name))
                if (stat.st_dev, stat.st_ino) not in seen:
                    seen.add((stat.st_dev, stat.st_ino))
                    total += stat.st_blocks * 512
    return total


def changes(shape: str, seed: int):
    """1,000 existing values, each changed: the last 25 days of 40 places, or drawn at random."""
    import numpy as np
    import pandas as pd
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT location_id, metric_id, date, value FROM dataset_observation")
        frame = pd.DataFrame(cursor.fetchall(), columns=["location_id", "metric_id", "date", "value"])
    frame["date"] = pd.to_datetime(frame["date"])
    rng = np.random.default_rng(seed)
    if shape == "recent":
        confirmed = frame[frame["metric_id"] == frame["metric_id"].min()]
        places = rng.choice(confirmed["location_id"].unique(), 40, replace=False)
        last = confirmed["date"].max()
        picked = confirmed[confirmed["location_id"].isin(places) & (confirmed["date"] > last - pd.Timedelta(days=25))]
        picked = picked.head(CHANGED)
    else:
        picked = frame.iloc[rng.choice(len(frame), CHANGED, replace=False)]
    picked = picked.copy()
    picked["value"] = picked["value"] + 1 + seed
    return picked.reset_index(drop=True)


def release_once(frame, source, submitter) -> tuple[float, float, float, float]:
    """Merge an approved submission of `frame`, then build its exports (the release path), then run their
    follow-up (finish_exports: checksums, Parquet, JHU; queued after the release in production):
    (merge s, exports s, release path s, follow-up s)."""
    from unittest import mock

    from dataset import tasks
    from review import merge

    submission = approved_submission(frame, source=source, submitter=submitter, override_priority=True)
    start = time.perf_counter()
    release = merge.run(submission_id=submission.pk)
    merged = time.perf_counter()
    assert release is not None
    with mock.patch.object(tasks, "dispatch", create=True):  # the follow-up is timed apart, below
        tasks.build_exports(release.pk)
    done = time.perf_counter()
    follow_up = getattr(tasks, "finish_exports", None)  # absent before issue 16's follow-up task
    if follow_up is not None:
        follow_up(release.pk)
    return merged - start, done - merged, done - start, time.perf_counter() - done


def first_validation(tmp: Path, source, submitter) -> None:
    """The first validation after a release against read_csv, each in a fresh process (bench/validate.py).

    The upload is the dataset itself as a long CSV (date, location, metric, value), from the latest
    release's tidy CSV, so the diff looks up every value. One validation runs before the release
    (the machine's caches, the same for any validation), then a release and a sync (its files
    written out), then the one measured."""
    import pandas as pd
    import validate as bench_validate
    from django.conf import settings

    from dataset.exports import segments
    from dataset.exports.release import read_manifest
    from dataset.selectors import latest_release
    from sources.models import Source

    Source.objects.get_or_create(
        name="JHU CSSE (bench)",
        defaults={"institution": "JHU", "institution_type": "aggregator", "url": "https://example.org/bench"},
    )
    latest = latest_release()
    assert latest is not None
    csv_path = tmp / "tidy.csv"  # the latest release's CSV as downloaded (served from its segments)
    with csv_path.open("wb") as out:
        for block in segments.iter_csv(Path(settings.EXPORTS_ROOT), read_manifest(latest.number)["segments"]):
            out.write(block)
    tidy = pd.read_csv(csv_path)
    path = tmp / "long.csv"
    long = tidy.rename(columns={"location_key": "location"})[["date", "location", "metric", "value"]]
    long.sort_values(["location", "metric", "date"]).to_csv(path, index=False)  # by series, as official files are
    bench_validate.run_measure("validate", path)
    release_once(changes("recent", seed=99), source, submitter)
    os.sync()  # the release's files written out, so the validation does not share the disk with them
    first = bench_validate.run_measure("validate", path)
    pairs = [
        (bench_validate.run_measure("baseline", path), bench_validate.run_measure("validate", path))
        for _ in range(LATER_RUNS)
    ]
    baseline = min((base for base, _ in pairs), key=lambda r: r["seconds"])["seconds"]
    later = min((run for _, run in pairs), key=lambda r: r["seconds"])
    # A fresh process's validation varies by half from one to the next (its first calls import and
    # allocate): the first after the release, one sample, is compared with the later ones' median too.
    later_median = statistics.median(run["seconds"] for _, run in pairs)

    def phases(run: dict) -> str:
        return ", ".join(f"{k} {v:.2f} s" for k, v in run["phases"].items())

    print(f"  baseline pandas.read_csv(engine='pyarrow'): {baseline:.2f} s for {first['rows']:,} rows")
    print(
        f"  RESULT first validation after the release: {first['seconds']:.2f} s ({phases(first)}), "
        f"RATIO {first['seconds'] / baseline:.2f} (target <= {TARGET_VALIDATE:.0f}); later ones: "
        f"{later['seconds']:.2f} s ({phases(later)}), RATIO {later['seconds'] / baseline:.2f}; "
        f"their median {later_median:.2f} s: the first is {first['seconds'] / later_median:.2f}x it"
    )


def child():
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from dataset import snapshots
    from dataset.models import Observation, Release
    from dataset.tasks import build_exports
    from sources.models import Source

    call_command("import_jhu", "--no-exports", *map(str, jhu_files()), stdout=io.StringIO())
    count = Observation.objects.count()
    folders = (Path(settings.EXPORTS_ROOT), snapshots.root())
    start = time.perf_counter()
    build_exports(Release.objects.get().pk)
    full = time.perf_counter() - start
    full_mb = disk_bytes(*folders) / 1e6
    print(f"  engine: {connection.vendor}; values: {count:,}; releases of {CHANGED:,} changed values")
    print(f"  baseline: first release's files built whole (and its snapshot): {full:.2f} s, {full_mb:.1f} MB on disk")

    source = Source.objects.exclude(name="JHU CSSE (bench)").first()
    submitter = User.objects.create(username="bench-release", email="bench-release@example.org")
    from review import merge

    merge._after_merge = lambda submission_id, release_id: None  # the export task is run (and timed) here
    totals, growths, follow_ups = [], [], []
    for i in range(REPEATS * 2):
        shape = ("recent", "scattered")[i % 2]
        frame = changes(shape, seed=i)
        before = disk_bytes(*folders)
        merge_s, export_s, total, follow_s = release_once(frame, source, submitter)
        growth = (disk_bytes(*folders) - before) / 1e6
        totals.append(total)
        growths.append(growth)
        follow_ups.append(follow_s)
        print(
            f"  release {i + 2} ({shape}, {len(frame):,} values): merge + snapshot {merge_s:.2f} s, "
            f"exports {export_s:.2f} s, release path {total:.2f} s; follow-up {follow_s:.2f} s; "
            f"disk {growth:+.2f} MB (with the follow-up's files)",
            flush=True,
        )
    print(
        f"  RESULT end to end: median {statistics.median(totals):.2f} s, worst {max(totals):.2f} s "
        f"(target <= {TARGET_SECONDS:.0f} s); {statistics.median(totals) / full:.2f}x the full build"
    )
    follow_median, follow_worst = statistics.median(follow_ups), max(follow_ups)
    print(f"  RESULT follow-up (finish_exports): median {follow_median:.2f} s, worst {follow_worst:.2f} s")
    print(
        f"  RESULT disk per release: median {statistics.median(growths):+.2f} MB, worst {max(growths):+.2f} MB "
        f"(target <= {TARGET_MB:.0f} MB); total now {disk_bytes(*folders) / 1e6:.1f} MB"
    )
    print(f"  peak memory of the process: {peak_rss_mb():.0f} MB")
    first_validation(Path(os.environ["BENCH_TMP"]), source, submitter)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(Path(__file__), "portal_bench_release", child)
