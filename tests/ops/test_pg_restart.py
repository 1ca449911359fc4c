"""A merge interrupted by PostgreSQL restarting leaves the dataset as before and completes after the restart.

The test starts a PostgreSQL server of its own (initdb + pg_ctl, on a free port; never the shared
server), migrates a database on it and runs a real Celery worker on it (the folder broker, so no other
worker of the suite can take its tasks). Each round dispatches a merge of 100k values into 100k, waits until the merge
holds the dataset's lock, stops the server (`pg_ctl stop -m fast`: every connection is cut), starts it
again a moment later, and checks: nothing partial is visible, the task retried on its own (no sweeper)
and the submission was merged exactly once (tests/ops/pg_restart_driver.py check).
"""

import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from common.locking import DATASET_WRITERS
from tests.conftest import ARTIFACTS, ROOT, skip_or_fail

pytestmark = pytest.mark.postgres

ROUNDS = int(os.environ.get("PG_RESTART_ROUNDS", 5))
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DRIVER = ROOT / "tests" / "ops" / "pg_restart_driver.py"
FINGERPRINT = (
    "SELECT (SELECT row(COUNT(*), SUM(value), SUM(source_id), SUM(COALESCE(submission_id, 0)), SUM(release_id))"
    "::text FROM dataset_observation), (SELECT COUNT(*) FROM dataset_observationhistory), "
    "(SELECT COUNT(*) FROM dataset_release)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateServer:
    """A throwaway PostgreSQL cluster; as root, its programs run as the `postgres` user (initdb refuses root)."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run([*self.prefix, *command], check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        if self.prefix:
            shutil.chown(self.folder, "postgres")
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self.run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def connect(self, name: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(name), autocommit=True, connect_timeout=5)


@pytest.fixture(scope="module")
def server():
    if not (PG_BIN / "initdb").exists() or (os.geteuid() == 0 and not shutil.which("runuser")):
        skip_or_fail(f"needs PostgreSQL's server programs in {PG_BIN} (PG_BIN)")
    folder = Path(tempfile.mkdtemp(prefix="portal-pg-restart-"))
    server = PrivateServer(folder, free_port())
    try:
        server.init()
        server.start()
        with server.connect() as admin:
            admin.execute("CREATE DATABASE portal")
        yield server
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            server.stop("immediate")
        ARTIFACTS.mkdir(exist_ok=True)
        if (folder / "server.log").exists():
            shutil.copy(folder / "server.log", ARTIFACTS / "pg-restart-server.log")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def portal_env(server, tmp_path_factory):
    """The environment of every process on the private server: its database, the folder broker, one media folder."""
    work = tmp_path_factory.mktemp("pg-restart")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_ENV", "REQUIRE_SERVICES"}}
    env.update(
        DATABASE_URL=server.url("portal"),
        CELERY_BROKER_DIR=str(work / "broker"),
        MEDIA_ROOT=str(work / "media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONPATH=str(ROOT),
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    driver(env, "setup")
    return env


def driver(env: dict, *arguments: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(DRIVER), *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def worker(portal_env):
    """A real Celery worker on the merge queue (exports and mail wait in the folder: this test reads neither)."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "pg-restart-worker.log"
    log_path.write_bytes(b"")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "merge", "-c", "1", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"pg-restart-{os.getpid()}@%h"],
            cwd=ROOT, env=portal_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    yield log_path
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def lock_holder(server: PrivateServer, timeout: float = 90) -> int:
    """The pid of the backend holding the dataset writers' advisory lock: a merge is writing."""
    deadline = time.monotonic() + timeout
    with server.connect("portal") as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = %s", [DATASET_WRITERS]
            ).fetchone()
            if row:
                return row[0]
            time.sleep(0.02)
    raise AssertionError("no merge took the lock within the timeout (see test-artifacts/pg-restart-worker.log)")


def status(server: PrivateServer, submission_id: int) -> str:
    with server.connect("portal") as conn:
        return conn.execute("SELECT status FROM contributions_submission WHERE id = %s", [submission_id]).fetchone()[0]


def fingerprint(server: PrivateServer) -> tuple:
    with server.connect("portal") as conn:
        return conn.execute(FINGERPRINT).fetchone()


def wait_for(server: PrivateServer, submission_id: int, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = status(server, submission_id)
        if current in {"merged", "merge_failed"}:
            return current
        time.sleep(0.25)
    raise AssertionError(f"submission {submission_id} stayed {current}")


def test_a_merge_cut_by_a_postgresql_restart_leaves_nothing_partial_and_completes_once(server, portal_env, worker):
    partial_merges = lost_approvals = interrupted = 0
    previous: list[str] = []  # the last round's check, run in the same driver start as this round's submit
    for round_number in range(1, ROUNDS + 1):
        before = fingerprint(server)
        submission_id = driver(portal_env, *previous, "submit", str(round_number))["submission"]
        lock_holder(server)
        time.sleep(random.uniform(0.05, 0.3))  # strike at a different point of the merge each round
        started = time.monotonic()
        server.stop("fast")  # every connection is cut, the merge's transaction with it
        time.sleep(random.uniform(0.2, 1.5))  # a retry may find the server still down
        server.start()
        outage = time.monotonic() - started
        seen, current = fingerprint(server), status(server, submission_id)
        if current == "approved":
            interrupted += 1
        if seen != before and current != "merged":  # only a committed merge may show, and then whole
            partial_merges += 1
        if wait_for(server, submission_id) != "merged":
            lost_approvals += 1
        previous = ["check", str(submission_id)]
        print(f"round {round_number}: server down {outage:.1f} s mid-merge; status after restart: {current}")
    assert driver(portal_env, *previous)["merged_once"]  # every round's check passed (a failed one stops the driver)
    retries = worker.read_text(errors="replace").count("retry: Retry in")
    print(f"{interrupted} of {ROUNDS} merges interrupted, {retries} retries, each merged exactly once")
    assert (partial_merges, lost_approvals) == (0, 0)
    assert interrupted == ROUNDS, "a merge ended before the server stopped: make the merges bigger"
    assert retries >= ROUNDS  # each interrupted merge came back through the task's own retry, no sweeper
