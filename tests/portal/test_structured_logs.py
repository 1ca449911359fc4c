"""Logs as JSON lines (LOG_FORMAT=json) that name the submission and release, in web and worker."""

import io
import json
import logging
import os
import sys
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

from common.tasks import PortalTask
from portal.celery import app as celery_app
from portal.observability.context import ContextFilter
from portal.observability.logs import JsonFormatter
from tests.contributions.factories import SubmissionFactory
from tests.portal.test_logging import run_python
from tests.processes import free_port, running

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The lines a production handler (JSON formatter and context filter, as settings.LOGGING) writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_request_about_a_submission_logs_its_id(client, json_lines, make_user):
    submission = SubmissionFactory()
    client.force_login(make_user("stranger@example.org", countries=["DE"]))
    response = client.get(reverse("submission-detail", args=[submission.pk]))
    assert response.status_code == 404  # someone else's: Django logs "Not Found"
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["submission_id"] == submission.pk
    assert line["level"] == "WARNING"
    assert line["message"] == f"Not Found: /api/v1/submissions/{submission.pk}/"
    assert line["time"].endswith("Z")


def test_the_next_request_does_not_inherit_the_id(client, json_lines):
    submission = SubmissionFactory()
    client.get(reverse("submission-detail", args=[submission.pk]))
    client.get("/no-such-page/")
    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert lines[-1]["message"] == "Not Found: /no-such-page/"
    assert "submission_id" not in lines[-1]


@pytest.mark.parametrize("positional", [True, False])
def test_a_task_logs_the_submission_and_release_of_its_arguments(json_lines, positional):
    @celery_app.task(base=PortalTask, name="tests.logs.merge_like")
    def merge_like(submission_id: int, release_id: int, note: str = "") -> None:
        logging.getLogger("review.merge").info("Merging %s", note)

    if positional:
        merge_like.delay(41, 7, "rows")
    else:
        merge_like.delay(submission_id=41, release_id=7, note="rows")
    [line] = [line for line in json_lines() if line["logger"] == "review.merge"]
    assert (line["submission_id"], line["release_id"]) == (41, 7)
    assert line["task"] == "tests.logs.merge_like"
    assert line["message"] == "Merging rows"
    logging.getLogger("review.merge").info("after the task")
    assert "submission_id" not in json_lines()[-1]


def test_a_worker_task_logs_the_release_it_was_given(json_lines):
    from dataset.tasks import build_exports

    build_exports.delay(987654)  # no such release: the task says so
    [line] = [line for line in json_lines() if line["logger"] == "dataset.tasks"]
    assert line["release_id"] == 987654
    assert line["task"] == "dataset.tasks.build_exports"
    assert "task_id" in line


def test_creating_a_submission_binds_its_id_for_what_follows(json_lines):
    @celery_app.task(base=PortalTask, name="tests.logs.upload_like")
    def upload_like() -> None:
        created = SubmissionFactory()
        logging.getLogger("contributions").info("stored %s", created.pk)

    upload_like.delay()
    [line] = [line for line in json_lines() if line["logger"] == "contributions"]
    assert line["message"] == f"stored {line['submission_id']}"


def test_log_format_json_makes_every_line_a_json_object():
    result = run_python(
        "logging.getLogger('dataset.exports').warning('Release %s built', 12, extra={'files': 4})\n",
        LOG_FORMAT="json",
    )
    [line] = [json.loads(text) for text in result.stderr.splitlines()]
    assert line["message"] == "Release 12 built"
    assert (line["level"], line["logger"], line["files"]) == ("WARNING", "dataset.exports", 4)


def test_development_logs_stay_plain_text():
    result = run_python("logging.getLogger('dataset.exports').warning('Release %s built', 12)\n")
    assert "WARNING dataset.exports: Release 12 built" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


GUNICORN = [sys.executable, "-m", "gunicorn", "portal.wsgi", "-c", "portal/observability/gunicorn.py"]


def test_gunicorn_and_the_portal_write_only_json_lines_naming_the_submission(tmp_path):
    """gunicorn as docs/deployment.md and bench/load.py start it: its own lines, its access lines and the
    portal's are all JSON objects; the access line of a submission's page carries its id."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "LOG_LEVEL")}
    env.update(
        LOG_FORMAT="json",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # these requests read no table
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    output = tmp_path / "gunicorn.log"
    command = [*GUNICORN, "-b", f"127.0.0.1:{port}", "-w", "1", "--threads", "2"]
    with running(command, env=env, log_path=output, ready=lambda: get(port, "/review/12/") == 302):
        assert get(port, "/no-such-page/") == 404
    lines = [line for line in output.read_text().splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    assert any(r["logger"] == "gunicorn.error" and r["message"].startswith("Starting gunicorn") for r in records)
    [access] = [r for r in records if r["logger"] == "gunicorn.access" and r.get("path") == "/review/12/"]
    assert (access["method"], access["status"], access["submission_id"]) == ("GET", 302, 12)
    [missing] = [r for r in records if r["logger"] == "django.request"]
    assert missing["message"] == "Not Found: /no-such-page/"
    assert "submission_id" not in missing


def get(port: int, path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
