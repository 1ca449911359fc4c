"""`make run` without Redis: workers beside the web server take the background work through a broker folder.

Everything runs as `make run` runs it: a SQLite database in a file shared by this process (the web
side, through Django's test client) and real Celery worker processes (portal.run_local's commands) on
the file-system broker (portal.file_broker). No Redis, no PostgreSQL: these run on a fresh clone.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.urls import reverse

from contributions.models import Submission
from dataset.models import Observation, Release
from portal import file_broker, run_local
from portal.celery import app as celery_app
from tests.accounts.factories import UserFactory
from tests.sources.factories import make_source

ROOT = Path(__file__).resolve().parents[2]
DAYS = 30
# Italy's national counts for 30 days: confirmed 1,100 ... 4,000, deaths 11 ... 40 (60 values).
UPLOAD = "date,location,metric,value\n" + "".join(
    f"2020-03-{day:02d},Italy,confirmed,{1000 + 100 * day}\n2020-03-{day:02d},Italy,deaths,{10 + day}\n"
    for day in range(1, DAYS + 1)
)


def wait_until(condition: Callable[[], object], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            detail = f"\n--- worker log ---\n{log.read_text(errors='replace')[-4000:]}" if log and log.exists() else ""
            raise AssertionError(f"{what}: not within {timeout} s{detail}")
        time.sleep(0.2)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """A migrated SQLite file with the reference data, made once for this module (a few seconds)."""
    path = tmp_path_factory.mktemp("background-db") / "template.sqlite3"
    env = environment(DATABASE_URL=sqlite_url(path))
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('load_reference_data', verbosity=0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr
    return path


def environment(**extra: str) -> dict[str, str]:
    """The development profile, as `make run` has it: no DATABASE_URL or REDIS_URL from the test run."""
    ignored = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_DIR", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", **extra)
    return env


@pytest.fixture
def common_database(migrated_database, tmp_path, django_db_blocker) -> Iterator[Path]:
    """A copy of the migrated file as this process's default database, with `make run`'s SQLite options,
    so the worker processes and this one (the web side) read and write the same data."""
    path = tmp_path / "db.sqlite3"
    shutil.copy(migrated_database, path)
    original = connections["default"]
    config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": dict(settings.SQLITE_OPTIONS)}
    on_file = DatabaseWrapper(connections.configure_settings({"default": config})["default"], "default")
    connections["default"] = on_file
    try:
        with django_db_blocker.unblock():
            yield path
            on_file.close()
    finally:
        connections["default"] = original


@contextmanager
def tasks_through_the_folder(folder: Path) -> Iterator[None]:
    """This process's Celery app sends tasks to the broker folder, as the web server of `make run` does."""
    conf = celery_app.conf
    names = ("broker_url", "broker_transport", "broker_transport_options", "task_always_eager")
    saved = {name: conf[name] for name in names}

    def reset_pools():  # the app caches its connection and producer pools: make it build them again
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset_pools()
    conf.update(
        broker_url="filesystem://localhost/",
        broker_transport="portal.file_broker:Transport",
        broker_transport_options=file_broker.transport_options(folder),
        task_always_eager=False,
    )
    try:
        yield
    finally:
        reset_pools()
        conf.update(saved)


class Workers:
    """`make run`'s workers, on the shared database and broker folder; paused() holds them still."""

    def __init__(self, *, database: Path, broker: Path, media: Path, mail: Path, log: Path):
        self.log = log
        env = environment(
            DATABASE_URL=sqlite_url(database),
            CELERY_BROKER_DIR=str(broker),
            MEDIA_ROOT=str(media),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mail),
        )
        commands = run_local.worker_commands(node_suffix=f"-test-{os.getpid()}").values()
        with open(log, "wb") as output:
            self.processes = [
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
                )
                for command in commands
            ]
        wait_until(
            lambda: log.read_text(errors="replace").count(" ready.") == len(self.processes),
            60,
            "the workers did not start",
            log,
        )

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Stop the workers' main processes, so nothing they do can race a check made meanwhile."""
        for process in self.processes:
            os.kill(process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for process in self.processes:
                os.kill(process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """At once: the test is over (the graceful stop is the other test's subject)."""
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def workers(common_database, tmp_path, settings) -> Iterator[Workers]:
    broker = tmp_path / "broker"
    with tasks_through_the_folder(broker):
        started = Workers(
            database=common_database,
            broker=broker,
            media=Path(settings.MEDIA_ROOT),
            mail=tmp_path / "worker-mail",
            log=tmp_path / "workers.log",
        )
        try:
            yield started
        finally:
            started.stop()


def test_the_workers_of_make_run_consume_every_queue_of_the_settings():
    consumed = [queue for spec in run_local.WORKERS for queue in spec.queues]
    assert sorted(consumed) == sorted(queue.name for queue in settings.CELERY_TASK_QUEUES)
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} <= set(consumed)


def status_of(submission: Submission) -> str:
    submission.refresh_from_db()
    return submission.status


def test_uploading_and_approving_answer_at_once_and_the_workers_do_the_work(workers, client):
    source = make_source(name="Ministero della Salute", country="IT")
    volunteer = UserFactory(email="volunteer@example.org", role="volunteer", countries=("IT",))
    reviewer = UserFactory(email="reviewer@example.org", role="reviewer", countries=("IT",))

    # The upload answers while the workers have not started validating it.
    client.force_login(volunteer)
    with workers.paused():
        response = client.post(
            reverse("contributions:upload"),
            {"source": source.pk, "file": SimpleUploadedFile("italia.csv", UPLOAD.encode())},
        )
        assert response.status_code == 302
        submission = Submission.objects.get()
        assert status_of(submission) == Submission.Status.VALIDATING
    wait_until(
        lambda: status_of(submission) != Submission.Status.VALIDATING, 30, "the workers did not validate", workers.log
    )
    assert submission.status == Submission.Status.AWAITING_REVIEW, submission.report
    assert submission.row_count == 2 * DAYS

    # The approval answers before the merge: nothing of the upload is in the dataset yet.
    client.force_login(reviewer)
    with workers.paused():
        response = client.post(
            reverse("review:decide", args=[submission.pk]),
            {"decision": "approve", "comment": "Matches the ministry's bulletin", "version": submission.version},
        )
        assert response.status_code == 302
        assert status_of(submission) == Submission.Status.APPROVED
        assert not Observation.objects.filter(submission=submission).exists()

    # The workers merge it, build the release's files, and the location page shows the new values.
    wait_until(lambda: status_of(submission) == Submission.Status.MERGED, 30, "the workers did not merge", workers.log)
    assert Observation.objects.filter(submission=submission).count() == 2 * DAYS
    release = Release.objects.get(submissions=submission)
    wait_until(
        lambda: Release.objects.filter(pk=release.pk, exports_built_at__isnull=False).exists(),
        30,
        "the exports worker did not build the release's files",
        workers.log,
    )
    page = client.get(reverse("dataset:location", args=["IT"])).content.decode()
    assert re.search(r'data-testid="latest-confirmed">\s*4,000\s*<', page), page


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (this test's broker folder): the ones `make run` started."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the started processes through /proc")
def test_make_run_serves_pages_hands_mail_to_its_worker_and_ctrl_c_stops_them_all(migrated_database, tmp_path):
    database = tmp_path / "db.sqlite3"
    shutil.copy(migrated_database, database)
    broker, mail, port = tmp_path / "broker", tmp_path / "mail", free_port()
    env = environment(
        DATABASE_URL=sqlite_url(database),
        CELERY_BROKER_DIR=str(broker),
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
    )
    log = tmp_path / "make-run.log"
    with open(log, "wb") as output:
        runner = subprocess.Popen(
            [sys.executable, "-m", "portal.run_local", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    site = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: log.read_text(errors="replace").count(" ready.") == len(run_local.WORKERS),
            60,
            "the workers did not start",
            log,
        )
        browser = requests.Session()

        def signup_page_answers() -> bool:
            try:
                return browser.get(f"{site}/accounts/signup/", timeout=5).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(signup_page_answers, 60, "the server did not answer", log)
        form = browser.get(f"{site}/accounts/signup/", timeout=10).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        response = browser.post(
            f"{site}/accounts/signup/",
            data={
                "csrfmiddlewaretoken": token,
                "email": "newcomer@example.org",
                "password1": "a-Long-passphrase-2020",
                "password2": "a-Long-passphrase-2020",
            },
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:2000]

        def confirmation_mail() -> str:
            return "".join(path.read_text(errors="replace") for path in mail.glob("*")) if mail.exists() else ""

        wait_until(lambda: "newcomer@example.org" in confirmation_mail(), 30, "no mail from the worker", log)
        assert "Task accounts.tasks.send_rendered_email" in log.read_text(errors="replace")
        assert processes_with(str(broker)), "the server and the workers run with the broker folder"

        runner.send_signal(signal.SIGINT)  # Ctrl-C
        assert runner.wait(timeout=45) == 0, log.read_text(errors="replace")
        wait_until(lambda: not processes_with(str(broker)), 10, "a process of `make run` outlived Ctrl-C", log)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
        for pid in processes_with(str(broker)):
            os.kill(pid, signal.SIGKILL)
