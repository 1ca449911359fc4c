"""A host that runs only `celery worker`: its task metrics on WORKER_METRICS_PORT, its logs as JSON lines."""

import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.conf import settings

from common.tasks import PortalTask
from portal.celery import app as celery_app
from portal.observability import worker
from tests.conftest import ARTIFACTS
from tests.processes import free_port, running


def scrape(port: int, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def counted(text: str, task: str, queue: str) -> float:
    wanted = f'portal_celery_tasks_total{{outcome="succeeded",queue="{queue}",task="{task}"}} '
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(wanted))


@pytest.fixture
def serve(settings):
    """Start the worker's metrics server in this process with the given allowed addresses and token."""
    servers = []

    def start(allowed_ips: list[str], token: str = "") -> int:
        settings.METRICS_ALLOWED_IPS, settings.METRICS_TOKEN = allowed_ips, token
        port = free_port()
        servers.append(worker.serve_metrics(port, addr="127.0.0.1"))
        return port

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_metrics_port_counts_the_tasks_this_process_ran(serve):
    @celery_app.task(base=PortalTask, name="tests.worker_metrics.probe")
    def probe() -> None:
        pass

    port = serve(["127.0.0.1"])
    probe.delay()  # inline here: counted on the "inline" queue
    status, text = scrape(port)
    assert status == 200
    before = counted(text, "tests.worker_metrics.probe", "inline")
    assert before >= 1
    probe.delay()
    assert counted(scrape(port)[1], "tests.worker_metrics.probe", "inline") == before + 1


def test_the_metrics_port_answers_only_allowed_addresses_or_the_token(serve):
    port = serve(["10.0.0.0/24"], token="worker-scrape-secret")
    assert scrape(port) == (403, "Forbidden\n")
    assert scrape(port, {"Authorization": "Bearer wrong"})[0] == 403
    status, text = scrape(port, {"Authorization": "Bearer worker-scrape-secret"})
    assert status == 200
    assert "# TYPE portal_celery_tasks_total counter" in text
    assert worker.permitted("10.0.0.7", "", ["10.0.0.0/24"], "") is True
    assert worker.permitted("::ffff:10.0.0.7", "", ["10.0.0.0/24"], "") is True
    assert worker.permitted("10.0.1.7", "", ["10.0.0.0/24"], "") is False


# --- a real `celery worker`, as a worker-only host starts it -------------------------------------------

WORKER = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-c", "2", "--pool", "prefork"]
WORKER += ["--loglevel", "INFO", "--without-gossip", "--without-mingle"]


@pytest.fixture
def json_worker(django_db_setup, tmp_path):
    """A `celery worker` (prefork, 2 processes) on a queue of its own, with JSON logs and a metrics port,
    on the test database and the real broker; yields (queue, port, log path)."""
    db = settings.DATABASES["default"]
    queue, port = f"worker-obs-{uuid.uuid4().hex[:8]}", free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PROMETHEUS_MULTIPROC_DIR", "LOG_LEVEL")}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        LOG_FORMAT="json",
        WORKER_METRICS_PORT=str(port),
        METRICS_ALLOWED_IPS="127.0.0.1",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "json-worker.log"
    command = [*WORKER, "-Q", queue, "-n", f"{queue}@%h"]
    with running(command, env=env, log_path=log_path, ready=lambda: scrape(port)[0] == 200) as process:
        yield queue, port, log_path, process


def wait_for_count(port: int, task: str, queue: str, expected: float) -> float:
    deadline = time.monotonic() + 60
    while (found := counted(scrape(port)[1], task, queue)) < expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


@pytest.mark.worker
def test_a_worker_only_host_serves_its_task_counts_and_logs_json_with_the_ids(json_worker):
    from dataset.tasks import build_exports
    from portal.observability.tasks import heartbeat

    queue, port, log_path, process = json_worker
    beat = "portal.observability.tasks.heartbeat"
    assert counted(scrape(port)[1], beat, queue) == 0
    heartbeat.apply_async(args=[queue], queue=queue)
    assert wait_for_count(port, beat, queue, 1) == 1  # run in a pool process, served by the main one
    heartbeat.apply_async(args=[queue], queue=queue)
    build_exports.apply_async(args=[987654], queue=queue)  # no such release: a warning about it
    assert wait_for_count(port, beat, queue, 2) == 2
    assert wait_for_count(port, "dataset.tasks.build_exports", queue, 1) == 1
    text = scrape(port)[1]
    assert f'portal_celery_task_duration_seconds_count{{queue="{queue}",task="{beat}"}} 2.0' in text
    assert scrape(port, {"X-Forwarded-For": "10.9.9.9"})[0] == 200  # the address is the socket's: 127.0.0.1

    os.killpg(process.pid, signal.SIGTERM)  # the shutdown lines too
    process.wait(timeout=60)
    lines = [line for line in log_path.read_text().splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    messages = [record["message"] for record in records]
    assert "Worker ready" in messages
    assert any("Warm shutdown" in message for message in messages)
    about_release = [record for record in records if record.get("release_id") == 987654]
    loggers = {record["logger"] for record in about_release}
    # Celery's "received" and "succeeded" lines and the task's own warning all name the release.
    assert {"celery.worker.strategy", "celery.app.trace", "dataset.tasks"} <= loggers, about_release
    assert all(record["task"] == "dataset.tasks.build_exports" for record in about_release)
