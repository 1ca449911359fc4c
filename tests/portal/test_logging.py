"""The development console: each log record once, no stray warnings, mail announced in one line."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() with the development settings (no services), like `make run`."""
    ignored = {
        "DATABASE_URL",
        "REDIS_URL",
        "DEBUG",
        "LOG_LEVEL",
        "EMAIL_BACKEND",
        "DJANGO_ENV",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "PYTHONWARNINGS",
    }
    full_env = {k: v for k, v in os.environ.items() if k not in ignored}
    full_env.update(DJANGO_SETTINGS_MODULE="portal.settings", **env)
    setup = "import logging, django; django.setup()\n"
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", setup + code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_django_warning_and_the_reloader_line_are_printed_once():
    result = run_python(
        "logging.getLogger('django.request').warning('Not Found: %s', '/no-such-page/')\n"
        "logging.getLogger('django.utils.autoreload').info('Watching for file changes with StatReloader')\n"
    )
    lines = result.stderr.splitlines()
    assert len([line for line in lines if "Not Found: /no-such-page/" in line]) == 1, result.stderr
    assert len([line for line in lines if "Watching for file changes" in line]) == 1, result.stderr
    assert "WARNING django.request: Not Found" in result.stderr


def test_runserver_request_lines_are_printed_once():
    result = run_python("logging.getLogger('django.server').info('\"GET / HTTP/1.1\" 200 5611')\n")
    assert result.stderr.count('"GET / HTTP/1.1" 200') == 1, result.stderr


def test_log_level_quiets_django_info_lines():
    result = run_python(
        "logging.getLogger('django.utils.autoreload').info('Watching for file changes with StatReloader')\n",
        LOG_LEVEL="WARNING",
    )
    assert "Watching" not in result.stderr


def test_settings_and_an_inline_task_print_nothing_without_redis():
    """No kombu "No hostname was supplied" warning, no Celery "Task ... succeeded" line, no Python warning."""
    result = run_python(
        "from portal.celery import app\n"
        "assert app.conf.task_always_eager\n"
        "@app.task\n"
        "def ping():\n"
        "    return 'pong'\n"
        "print(ping.delay().get())\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pong"
    assert result.stderr == ""


def test_development_mail_goes_to_a_file_announced_in_one_line(settings, tmp_path, caplog):
    from django.core.mail import send_mail

    settings.EMAIL_BACKEND = "portal.mail.DevelopmentFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "sent-mail")
    caplog.set_level("INFO", logger="portal.mail")
    send_mail("Please confirm your address", "Open http://127.0.0.1:8000/confirm/abc/", None, ["newcomer@example.org"])
    files = list((tmp_path / "sent-mail").iterdir())
    assert len(files) == 1
    assert "http://127.0.0.1:8000/confirm/abc/" in files[0].read_text()
    [record] = [r for r in caplog.records if r.name == "portal.mail"]
    assert record.getMessage() == (f"Mail to newcomer@example.org (Please confirm your address) written to {files[0]}")


def test_the_development_profile_uses_the_file_backend():
    result = run_python("from django.conf import settings; print(settings.EMAIL_BACKEND)")
    assert result.stdout.strip() == "portal.mail.DevelopmentFileBackend"
