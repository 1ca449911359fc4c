"""Shared by the dataset benchmarks: a throw-away database per engine, child processes, peak memory.

Each benchmark runs once per engine in a child process whose DATABASE_URL names a database made
for the run (a fresh SQLite file; on PostgreSQL a database dropped and created again), so a
benchmark never touches the developer's data. Engines: BENCH_ENGINES (default "sqlite,postgres";
PostgreSQL is skipped with a note when the server cannot be reached).
"""

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FINAL = ROOT / "demo_data" / "jhu"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def jhu_files() -> list[Path]:
    return sorted(FINAL.glob("time_series_covid19_*_global.csv"))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux's VmHWM when there is one: getrusage's ru_maxrss starts a child at its parent's peak (it
    is inherited at fork), so a measurement process started by a benchmark that built a big file
    would report the benchmark's memory instead of its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024**2)


def reset_peak_rss() -> bool:
    """Start this process's peak (VmHWM) again from its current memory (Linux: clear_refs 5), so that a
    later peak_rss_mb() is the peak of what runs after; False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{platform.system()} {platform.release()}, {cpus} CPUs ({model}), Python {platform.python_version()}"


def print_ratio(
    *,
    engine: str,
    values: int,
    repeats: int,
    name: str,
    times: list[float],
    baseline: str,
    baselines: list[float],
    ratio: str,
    target: str,
    memory: str,
) -> None:
    """A benchmark's result lines: the medians of its times and of the baseline's, their ratio, peak memory."""
    measured, base = statistics.median(times), statistics.median(baselines)
    print(f"  engine: {engine}; values: {values:,}; repeats: {repeats} (medians)")
    print(f"  {name + ':':<13}{measured:7.2f} s   ({', '.join(f'{t:.2f}' for t in times)})")
    print(f"  baseline:    {base:7.2f} s   ({baseline}; {', '.join(f'{t:.2f}' for t in baselines)})")
    print(f"  RATIO {ratio}: {measured / base:.2f}{target}")
    print(f"  peak memory of the process: {memory}")


def _recreate_postgres(name: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # no server: the benchmark says so and goes on with SQLite
        print(f"  PostgreSQL at {PG_SERVER} not usable ({exc.__class__.__name__}: {exc}); skipped")
        return None
    return f"{PG_SERVER}/{name}"


def run_per_engine(script: Path, database_name: str) -> int:
    """Run `script --child` once per engine with its own fresh database; return the worst exit code."""
    engines = [e.strip() for e in os.environ.get("BENCH_ENGINES", "sqlite,postgres").split(",") if e.strip()]
    worst = 0
    print(f"Machine: {machine()}")
    for engine in engines:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            if engine == "sqlite":
                url = f"sqlite:///{tmp}/{database_name}.sqlite3"
            else:
                url = _recreate_postgres(database_name)
                if url is None:
                    continue
            env = dict(
                os.environ, DATABASE_URL=url, EXPORTS_ROOT=f"{tmp}/exports", MEDIA_ROOT=f"{tmp}/media", BENCH_TMP=tmp
            )
            env.pop("REDIS_URL", None)
            print(f"\n== {script.stem} on {engine} ==", flush=True)
            worst = max(worst, subprocess.call([sys.executable, str(script), "--child"], env=env, cwd=ROOT))
    return worst


def main(script: Path, database_name: str, child) -> None:
    """A benchmark script's entry point: `--child` measures in this process, otherwise once per engine."""
    if "--child" in sys.argv:
        child()
    else:  # BENCH_DATABASE_NAME: another name, for runs side by side (it must contain "bench")
        sys.exit(run_per_engine(script, os.environ.get("BENCH_DATABASE_NAME", database_name)))


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from places.reference import load_reference_data

    call_command("migrate", verbosity=0, interactive=False)
    load_reference_data()


def approved_submission(frame, *, source, submitter, **fields):
    """An approved data submission whose normalised rows are `frame`, as the merge finds it after a review."""
    from django.utils import timezone

    from contributions.models import Submission
    from tests.review.builders import store_parquet

    return Submission.objects.create(
        kind=Submission.Kind.DATA,
        submitter=submitter,
        source=source,
        status=Submission.Status.APPROVED,
        approved_at=timezone.now(),
        normalised_path=store_parquet(frame),
        row_count=len(frame),
        **fields,
    )
