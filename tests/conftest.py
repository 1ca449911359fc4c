"""Shared fixtures: services (Redis, a real Celery worker), reference data, users, a browser.

Tests that need a service are marked (`redis`, `worker`, `postgres`, `browser`). Without the service
they skip, unless REQUIRE_SERVICES=1 (or REQUIRE_BROWSER=1 for the browser), where they fail.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"  # every real file tests read, with its attribution (SOURCES.md)
DEMO_DATA = ROOT / "demo_data"  # JHU's final global series, also read by tests
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The feeds' test HTTP server and Protezione Civile's daily files (fixtures feed_server, italy_days).
pytest_plugins = ["tests.sources.feed_server"]


def _required(var: str) -> bool:
    return os.environ.get(var, "") in {"1", "true", "yes"}


def skip_or_fail(reason: str, require_var: str = "REQUIRE_SERVICES"):
    if _required(require_var):
        pytest.fail(f"{reason} ({require_var}=1)")
    pytest.skip(reason)


def redis_available() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return True
    except Exception:
        return False


def using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Mark tests in tests/e2e as browser tests and tests in tests/faults as worker tests."""
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.browser)
        if f"{os.sep}faults{os.sep}" in path:
            item.add_marker(pytest.mark.worker)


def pytest_runtest_setup(item):
    markers = {m.name for m in item.iter_markers()}
    missing = []  # every service the test needs and does not have, so one skip names them all
    if markers & {"redis", "worker"} and not redis_available():
        missing.append("Redis: set REDIS_URL to a running server")
    if markers & {"worker", "postgres"} and not using_postgres():
        missing.append("PostgreSQL: set DATABASE_URL=postgres://...")
    if missing:
        skip_or_fail("needs " + "; and ".join(missing))
    if "browser" in markers and not Path(CHROMIUM).exists():
        skip_or_fail(f"needs Chromium at {CHROMIUM}", "REQUIRE_BROWSER")


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads and exports under its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORTS_ROOT = tmp_path / "media" / "exports"


@pytest.fixture(autouse=True)
def _tasks_inline_unless_worker(request):
    """Tasks run inline in ordinary tests (even when REDIS_URL is set); worker tests use the broker."""
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing is slow on purpose; tests only need it to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """A request in another language leaves it active in the thread (LocaleMiddleware): every test starts
    and ends in the default language, so English output stays English whatever ran before."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached pages live in the cache: start every test with it empty."""
    from django.core.cache import cache

    cache.clear()
    return


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (countries, subdivisions, aliases, metrics) are loaded once per session."""
    from places.reference import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference_data(db):
    """Countries, subdivisions, aliases and metrics; reloaded if a transactional test flushed them."""
    from places.models import Location
    from places.reference import load_reference_data

    if not Location.objects.exists():
        load_reference_data()


@pytest.fixture
def make_user(reference_data):
    """Create a verified user with a role: make_user("a@example.org", role="reviewer", countries=["IT"]).

    Reviewers and staff have an authenticator app (factories.TOTP_SECRET) unless second_factor=False.
    """
    from tests.accounts.factories import PASSWORD, UserFactory

    def make(
        email="volunteer@example.org", *, role="volunteer", countries=("IT",), password=PASSWORD, second_factor=None
    ):
        return UserFactory(email=email, role=role, countries=countries, password=password, second_factor=second_factor)

    return make


@pytest.fixture
def api():
    """A DRF test client, signed in as nobody."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def users(make_user):
    """One user per access level, by name: anonymous (None), volunteer, reviewer, staff."""
    return {
        "anonymous": None,
        "volunteer": make_user("vol@example.org"),
        "reviewer": make_user("rev@example.org", role="reviewer"),
        "staff": make_user("staff@example.org", role="staff"),
    }


# --- a real Celery worker, started once per session when a test needs it --------------------------


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker, tmp_path_factory):
    """A `celery worker` subprocess on the test database and the real broker.

    It reads the same settings module; DATABASE_URL points it at the test database that
    pytest-django created. Mail it sends goes to files under `mail_dir` so tests can read them.
    """
    if not redis_available() or not using_postgres():
        skip_or_fail("a worker needs Redis and PostgreSQL")
    db = settings.DATABASES["default"]
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        MEDIA_ROOT=str(tmp_path_factory.mktemp("worker-media")),
        FRESHNESS_ALLOW_PRIVATE_ADDRESSES="1",  # feeds fetch from the tests' server on 127.0.0.1
    )
    handle = WorkerHandle(env=env, mail_dir=mail_dir)
    handle.start()
    yield handle
    handle.stop()


@pytest.fixture
def celery_worker_process(transactional_db, celery_worker_session):
    """The session's worker, running: a test that failed after killing it does not take the next ones down.

    Afterwards it waits for the worker to finish what the test set off (a merge's exports, the cache
    warming) before the database is emptied: a TRUNCATE beside a running task can deadlock.
    """
    celery_worker_session.ensure_running()
    yield celery_worker_session
    celery_worker_session.wait_idle()


class WorkerHandle:
    """Start, kill -9 and restart a Celery worker; fault tests use kill()."""

    QUEUES = "default,validate,merge,exports,mail"

    def __init__(self, *, env, mail_dir):
        self.env = env
        self.mail_dir = Path(mail_dir)
        self.process = None
        self.name = ""
        self.log_path = ARTIFACTS / "celery-worker.log"

    def start(self, timeout=60):
        ARTIFACTS.mkdir(exist_ok=True)
        celery_app.control.purge()
        log = open(self.log_path, "ab")  # noqa: SIM115 (kept open for the subprocess)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                self.QUEUES,
                "-c",
                "2",
                "--pool",
                "prefork",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited early; see {self.log_path}")
            replies = celery_app.control.ping(timeout=1.0) or []
            names = [name for reply in replies for name in reply if name.startswith(f"test-{os.getpid()}@")]
            if names:
                self.name = names[0]
                return
            time.sleep(0.5)
        raise RuntimeError(f"Celery worker did not answer within {timeout}s; see {self.log_path}")

    def wait_idle(self, timeout=180):
        """Return once the worker runs, holds and has queued nothing; past `timeout`, kill it."""
        if self.process is None or self.process.poll() is not None:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inspect = celery_app.control.inspect(destination=[self.name], timeout=1.0)
            held = [inspect.active(), inspect.reserved(), inspect.scheduled()]
            answered = all(reply is not None for reply in held)
            if answered and not any(tasks for reply in held for tasks in reply.values()) and not self.queued():
                return
            time.sleep(0.2)
        self.kill()

    def queued(self) -> int:
        """Messages waiting in the worker's queues (a queue never declared holds none)."""
        total = 0
        with celery_app.connection_for_read() as conn:
            for queue in self.QUEUES.split(","):
                with contextlib.suppress(conn.channel_errors):
                    total += conn.default_channel.queue_declare(queue=queue, passive=True).message_count
        return total

    def kill(self):
        """kill -9 the whole worker process group (main process and pool children)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self):
        self.kill()
        self.start()

    def ensure_running(self):
        if self.process is None or self.process.poll() is not None:
            self.start()

    def sent_mail(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.mail_dir.glob("*")))


# --- a browser through Playwright, driving Debian's Chromium -------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"needs Chromium at {CHROMIUM}", "REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still sync.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves test-artifacts/name.png and returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def test_data():
    """tests/data: the real files tests upload and validate (see tests/data/SOURCES.md)."""
    return TEST_DATA


@pytest.fixture
def jhu_final_file(demo_data):
    """jhu_final_file("confirmed"): JHU's final global time series, the copy shipped in demo_data/jhu."""
    return lambda metric: demo_data / "jhu" / f"time_series_covid19_{metric}_global.csv"


@pytest.fixture
def demo_data():
    return DEMO_DATA


def copy_to(tmp_path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target
