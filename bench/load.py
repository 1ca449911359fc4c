"""The load test a user can run: a production-like portal under a realistic mix, then the merge check.

    python bench/load.py [--database portal_load] [--redis-db 15] [--users 20] [--duration 5m]
    make bench-load DATABASE=portal_load REDIS_DB=15 USERS=20 DURATION=5m

It starts what production runs, on this machine: gunicorn with several workers (--web-workers), a
Celery worker for the merge queue (one at a time) and one for the other queues with beat,
PostgreSQL (the database named, DROPPED AND CREATED AGAIN) and Redis (the db number named, FLUSHED),
with DJANGO_ENV=production (DEBUG off, JSON logs, manifest static files). It loads the demo dataset
(JHU's final series) and creates volunteers and reviewers with API tokens, then runs locust headless
(bench/locustfile.py: 90% public reads, 8% uploads, 2% approvals; each user one task a second) and
prints requests/s, p50/p95/p99 and errors. Afterwards it waits for the merges to finish and checks
that every approved upload was merged exactly once: the lost and duplicated merges are printed (target
0) and make the exit code 1.

API rate limits are raised for the run (every locust user comes from 127.0.0.1). Logs of the web
server and workers are kept in the run folder it prints.
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="portal_load", help="PostgreSQL database (dropped and created again)")
    parser.add_argument("--redis-db", type=int, default=15, help="Redis db number (flushed)")
    parser.add_argument("--users", type=int, default=20, help="locust users, each one task a second")
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", default="5m", help="locust's run time, e.g. 90s, 5m")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--web-threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--volunteers", type=int, default=20)
    parser.add_argument("--reviewers", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the database if it has the demo data")
    parser.add_argument("--settle-seconds", type=int, default=600, help="longest wait for the merges afterwards")
    return parser.parse_args(argv)


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def portal_environment(args: argparse.Namespace, run: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"{PG_SERVER}/{args.database}",
        REDIS_URL=f"{REDIS_SERVER}/{args.redis_db}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{args.port}",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback: no proxy in front
        MEDIA_ROOT=str(run / "media"),
        STATIC_ROOT=str(run / "static"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        API_THROTTLE_ANON="100000000/hour",
        API_THROTTLE_USER="100000000/hour",
        API_THROTTLE_UPLOAD="100000000/hour",
        PUBLIC_FORM_RATE="100000/m",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="json",
        PROMETHEUS_MULTIPROC_DIR=str(run / "prometheus"),
        METRICS_ALLOWED_IPS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    for name in ("DEBUG", "CELERY_BROKER_DIR"):
        env.pop(name, None)
    return env


def step(title: str, command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    print(f"==> {title}", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 (kept open for the child's life)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:  # the main processes stop their own children (a worker ends its task first)
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 30
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(what: str, ready, timeout: float) -> None:
    started = time.monotonic()
    while not ready():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"Gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(2)
    print(f"    {what}: ready after {time.monotonic() - started:.0f} s", flush=True)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def portal_step(env: dict[str, str], *args: str) -> bool:
    return subprocess.run([sys.executable, "bench/_load_portal.py", *args], cwd=ROOT, env=env).returncode == 0


def report(stats: Path) -> dict[str, str]:
    """Print locust's figures per kind of request and in total; returns the total row."""
    rows = list(csv.DictReader(stats.open()))
    print(f"\n{'request':<28}{'count':>8}{'errors':>8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    for row in rows:
        name = "TOTAL" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{name:<28}{row['Request Count']:>8}{row['Failure Count']:>8}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    return next(row for row in rows if row["Name"] == "Aggregated")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = Path(tempfile.mkdtemp(prefix="portal-load-"))
    (run / "prometheus").mkdir()
    env = portal_environment(args, run)
    print(f"==> Run folder (logs, media, locust CSV): {run}", flush=True)
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    if not args.reuse:
        print(f"==> PostgreSQL database {args.database}: dropped and created again", flush=True)
        recreate_database(args.database)
    step("Migrating", [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    step("Collecting static files", [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    step(
        "Loading the demo dataset (JHU's final series) and accounts",
        [sys.executable, "manage.py", "setup_demo"],
        env,
        stdout=subprocess.DEVNULL,
    )
    accounts = run / "accounts.json"
    step(
        f"Creating {args.volunteers} volunteers and {args.reviewers} reviewers with API tokens",
        [sys.executable, "bench/_load_portal.py", "accounts", str(accounts), str(args.volunteers), str(args.reviewers)],
        env,
    )

    celery = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--without-gossip", "--without-mingle"]
    processes = [
        start([*celery, "-Q", "merge", "-c", "1", "-n", "merge@%h"], env, run / "worker-merge.log"),
        start(
            [*celery, "-Q", "default,validate,exports,mail", "-c", "2", "-n", "work@%h", "-B", "-s", str(run / "beat")],
            env,
            run / "worker.log",
        ),
        start(
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "-b",
                f"127.0.0.1:{args.port}",
                "-w",
                str(args.web_workers),
                "--threads",
                str(args.web_threads),
                "--timeout",
                "60",
                "-c",
                "portal/observability/gunicorn.py",
            ],
            env,
            run / "web.log",
        ),
    ]
    try:
        print(
            f"==> gunicorn ({args.web_workers} workers x {args.web_threads} threads) on port {args.port}, "
            "a merge worker (1 process) and a worker with beat (2 processes)",
            flush=True,
        )
        wait_for("/health/ (database, Redis, storage, worker heartbeats)", lambda: healthy(args.port), 180)
        wait_for("the demo release's export files", lambda: portal_step(env, "exports-ready"), 900)
        wait_for("empty queues (exports, cache warming)", lambda: portal_step(env, "idle"), 900)
        print(f"==> locust: {args.users} users, one task a second each, for {args.duration}", flush=True)
        locust = [
            str(BIN / "locust"),
            "-f",
            "bench/locustfile.py",
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            args.duration,
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            str(run / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        with (run / "locust.log").open("wb") as log:
            subprocess.run(
                locust,
                cwd=ROOT,
                env={**os.environ, "LOAD_ACCOUNTS": str(accounts)},
                check=False,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        total = report(run / "locust_stats.csv")
        print(
            f"\nrequests/s {float(total['Requests/s']):.1f}; p50 {total['50%']} ms, p95 {total['95%']} ms, "
            f"p99 {total['99%']} ms; errors {total['Failure Count']} of {total['Request Count']}"
        )
        failures = run / "locust_failures.csv"
        if failures.exists() and failures.stat().st_size:
            print("errors by request:\n" + failures.read_text()[:2000])
        print("\n==> Waiting for the approved uploads to be merged", flush=True)
        try:
            wait_for("the merges", lambda: portal_step(env, "settled"), args.settle_seconds)
        except SystemExit as exc:
            print(f"    {exc}")
        print("==> Every approved upload merged exactly once?", flush=True)
        result = subprocess.run(
            [sys.executable, "bench/_load_portal.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        checked = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"    approved uploads: {checked['approved']}; merged exactly once: {checked['merged_once']}; "
            f"LOST: {checked['lost']}; DUPLICATED: {checked['duplicated']}; releases: {checked['releases']}"
        )
        print(f"    submissions by status: {checked['submissions_by_status']}")
        return 0 if checked["lost"] == 0 and checked["duplicated"] == 0 else 1
    finally:
        stop(processes)
        for bulky in ("media", "static", "prometheus"):  # uploads and release files: 170 MB a run
            shutil.rmtree(run / bulky, ignore_errors=True)
        print(f"==> Stopped the web server and the workers; logs and locust's CSV files in {run}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
