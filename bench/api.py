"""Benchmark: the public API under gunicorn (2 workers) on PostgreSQL holding the final JHU series.

1. Requests/s and p50/p99 latency for one location and metric's full series (about 1,100 values)
   as JSON and as CSV, against a trivial JSON view (`/api/v1/ping/`) on the same server in the same
   run. Target: ≥ 0.5× the trivial view's requests/s. Measured twice: steady state (the per-release
   cache answers, as it does for real traffic between releases) and with every request a query the
   cache has not seen (each a different country's series, with a `date_to` after the data that no
   request repeats), which is the cost of a query nobody asked before. Such a query is answered from
   the series' payload that the release's warming wrote (dataset/api/series_answers.py; run here
   before the servers start, with REDIS_URL as the shared cache), else from the database.
2. The time to stream the full tidy CSV (about 1M values) through the API, against
   `export_dataset --format tidy` on the same database. Target: ≤ 3×.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_api .venv/bin/python bench/api.py

The database is migrated and, when it holds no observations, loaded with the final JHU global series
(`import_jhu`); give the benchmark its own database. REDIS_URL, when set, is the servers' cache.
"""

import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
JHU = ROOT / "demo_data" / "jhu"  # the final JHU global series, shipped with the repository
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_api")
DURATION = float(os.environ.get("BENCH_SECONDS", 16))  # per endpoint, in ROUNDS windows
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 4))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 8))
LOCATION, METRIC = os.environ.get("BENCH_LOCATION", "IT"), os.environ.get("BENCH_METRIC", "confirmed")
RESULTS = ROOT / "bench" / "results"
SEQUENCE = itertools.count(1)


def env() -> dict:
    values = dict(os.environ)
    values.update(
        DATABASE_URL=DATABASE_URL,
        DEBUG="0",
        API_THROTTLE_ANON="100000000/hour",
        API_THROTTLE_USER="100000000/hour",
        LOG_LEVEL="WARNING",
        DB_CONN_MAX_AGE="600",
    )
    return values


def manage(*args) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env(), check=True, stdout=subprocess.DEVNULL)


def observation_count() -> int:
    script = "from dataset.models import Observation; print(Observation.objects.count())"
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def countries_with(metric: str) -> list[str]:
    """Keys of the countries that have their own series of `metric` (each a full series to read)."""
    script = (
        "from dataset.models import Observation; "
        f"keys = Observation.objects.filter(location__level='country', metric__code={metric!r})"
        ".values_list('location__key', flat=True).distinct(); print(','.join(sorted(keys)))"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1].split(",")


def ensure_database():
    """Create the benchmark's database when missing (kept between runs: the import takes minutes)."""
    import psycopg

    server, name = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database():
    if not DATABASE_URL.startswith("postgres"):
        sys.exit("bench/api.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database()
    manage("migrate", "--noinput")
    manage("load_reference_data")
    if observation_count() == 0:
        files = sorted(str(p) for p in JHU.glob("time_series_covid19_*_global.csv"))
        print(f"importing {len(files)} JHU files...", flush=True)
        manage("import_jhu", "--no-exports", *files)
    return observation_count()


def warm_series() -> str:
    """What the release's warming task does first: every series' payload (dataset/api/series_answers.py),
    in the cache the servers share (REDIS_URL). Without a shared cache each server process has its own,
    which a warming in another process cannot reach: the series are then read from the database."""
    if not os.environ.get("REDIS_URL"):
        return "no REDIS_URL: series payloads not warmed (each server has its own cache)"
    script = (
        "import time; from dataset.api import series_answers; from dataset.selectors import latest_release; "
        "t = time.perf_counter(); n, w = series_answers.warm_series(latest_release()); "
        "print(f'{n} series, {w} payloads written in {time.perf_counter() - t:.1f} s')"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "300",
        ],
        cwd=ROOT,
        env=env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/ping/", timeout=10).ok:
                return process
        except requests.RequestException:
            time.sleep(0.3)
    os.killpg(process.pid, 15)
    sys.exit("gunicorn did not start")


def load(url_for, seconds: float, clients=CLIENTS) -> tuple[list, float]:
    """`clients` threads request `url_for(i)` back to back for `seconds`: (latencies, wall time)."""
    latencies, errors = [], []
    stop_at = time.perf_counter() + seconds

    def client():
        session = requests.Session()
        while time.perf_counter() < stop_at:
            n = next(SEQUENCE)  # unique over the whole run: "uncached" URLs never repeat
            started = time.perf_counter()
            response = session.get(url_for(n), timeout=60)
            body = response.content
            if response.status_code != 200 or not body:
                errors.append(response.status_code)
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. status {errors[0]}")
    return latencies, time.perf_counter() - began


def interleaved(cases: dict, rounds: int = ROUNDS) -> dict:
    """Each case in turn for a short window, `rounds` times: on a shared machine, the baseline and
    the endpoints then see the same background load."""
    samples = {name: ([], 0.0) for name in cases}
    window = DURATION / rounds
    for _ in range(rounds):
        for name, url_for in cases.items():
            latencies, wall = load(url_for, window)
            kept, total = samples[name]
            samples[name] = (kept + latencies, total + wall)
    results = {}
    for name, (latencies, wall) in samples.items():
        latencies.sort()
        results[name] = {
            "requests": len(latencies),
            "rps": len(latencies) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        }
    return results


def timed_export() -> float:
    """`export_dataset --format tidy`, timed inside the process (Django's start-up not counted)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-api-export-"))
    script = (
        "import time; from pathlib import Path; from dataset.exports import export; "
        f"t = time.perf_counter(); list(export('tidy', Path({str(folder)!r}))); "
        "print(time.perf_counter() - t)"
    )
    try:
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=env(),
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return float(out.stdout.strip().splitlines()[-1])


def stream_time(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    size = lines = 0
    with requests.get(url, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return time.perf_counter() - started, size, lines - 1


def main():
    values = prepare_database()
    print(f"dataset: {values:,} observations", flush=True)
    print(f"series payloads (the release's warming): {warm_series()}", flush=True)
    port = free_port()
    server = start_gunicorn(port)
    base = f"http://127.0.0.1:{port}/api/v1"
    series = f"{base}/observations/?location={LOCATION}&metric={METRIC}&page_size=2000"
    countries = countries_with(METRIC)

    def unseen(n: int) -> str:
        """A query nobody asked before: the n-th request's country, and a date_to no other request has."""
        day = date(2030, 1, 1) + timedelta(days=n)
        country = countries[n % len(countries)]
        return f"{base}/observations/?location={country}&metric={METRIC}&page_size=2000&date_to={day}"

    try:
        points = len(requests.get(series, timeout=60).json()["results"])
        results = {"values_in_series": points, "dataset_values": values}
        cases = {
            "ping (baseline)": lambda n: f"{base}/ping/",
            "series JSON, cached": lambda n: series,
            "series CSV, cached": lambda n: series + "&format=csv",
            "series JSON, uncached": unseen,
            "series CSV, uncached": lambda n: unseen(n) + "&format=csv",
        }
        for url_for in cases.values():  # warm the workers (and the cache)
            requests.get(url_for(0), timeout=60)
        answered = requests.get(unseen(10**6), timeout=60).headers.get("X-Cache")
        print(f"a query the cache has not seen is answered: X-Cache {answered} (series: from the series' payload)")
        results.update(interleaved(cases))
        baseline = results["ping (baseline)"]["rps"]
        print(
            f"\none series: {LOCATION}/{METRIC}, {points} values; gunicorn 2 workers, {CLIENTS} client threads, "
            f"{DURATION:.0f}s per endpoint in {ROUNDS} interleaved windows"
        )
        print(f"{'endpoint':26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs ping':>8}")
        for name in cases:
            r = results[name]
            r["ratio"] = r["rps"] / baseline
            print(f"{name:26} {r['rps']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['ratio']:7.2f}x")

        api_runs, export_runs = [], []
        for _ in range(2):  # alternated, best of two each: the machine's load changes by the minute
            api_runs.append(stream_time(f"{base}/observations/?format=csv"))
            export_runs.append(timed_export())
        api_seconds, size, lines = min(api_runs)
        export_seconds = min(export_runs)
        results["full_csv"] = {
            "api_seconds": api_seconds,
            "bytes": size,
            "rows": lines,
            "export_seconds": export_seconds,
            "ratio": api_seconds / export_seconds,
        }
        print(
            f"\nfull tidy CSV through the API: {lines:,} rows, {size / 1e6:.1f} MB in {api_seconds:.1f}s; "
            f"export_dataset --format tidy: {export_seconds:.1f}s -> {api_seconds / export_seconds:.2f}x "
            "(target <= 3x)"
        )
        worst = min(results[n]["ratio"] for n in ("series JSON, cached", "series CSV, cached"))
        print(f"series vs trivial view (cached, steady state): {worst:.2f}x (target >= 0.5x)")
        worst = min(results[n]["ratio"] for n in ("series JSON, uncached", "series CSV, uncached"))
        print(f"series vs trivial view (a query the cache has not seen): {worst:.2f}x (target >= 0.5x)")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "api.json").write_text(json.dumps(results, indent=2))
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
