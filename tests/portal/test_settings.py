"""Settings come from the environment; the production profile passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    ignored = {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the last one: browser tests
    full_env = {k: v for k, v in os.environ.items() if k not in ignored}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 64 + "-not-a-real-secret-but-long-enough",
    "ALLOWED_HOSTS": "covid.example.org",
}


def test_production_profile_passes_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, TRUSTED_PROXIES="127.0.0.1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_no_proxy_is_named_for_the_rate_limits():
    """Production believes a proxy's X-Forwarded-Proto; with no TRUSTED_PROXIES every visitor would share
    the proxy's address, and so one rate-limit bucket."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode != 0
    assert "portal.W001" in result.stdout + result.stderr
    assert "TRUSTED_PROXIES" in result.stdout + result.stderr


def test_production_profile_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY="", ALLOWED_HOSTS="covid.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_profile_is_flagged_by_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0  # DEBUG, insecure key and cookies are reported


def test_environment_selects_database_cache_and_inline_tasks():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    plain = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert plain.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
    ]
    local = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "CELERY_BROKER_DIR": "var/broker"},
        capture_output=True,
        text=True,
    )
    # make run: background workers, and a cache on disk they share with the web server
    assert local.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.filebased.FileBasedCache",
        "False",
    ]
    env.update(DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/9")
    services = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert services.stdout.split() == [
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "False",
    ]
