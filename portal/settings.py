"""Settings for the portal, driven by environment variables (each one is documented in README.md).

DJANGO_ENV=production switches on the production profile (HTTPS-only cookies, HSTS, SMTP mail,
no DEBUG); anything else is the development profile, which runs on SQLite with no services.
"""

import ipaddress
import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from portal.file_broker import transport_options as file_broker_options

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdefghij"  # noqa: S105

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
# Earlier SECRET_KEYs, still accepted for signatures and sessions while they are rotated out.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "COVID-19 Open Data")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "places",
    "accounts",
    "dataset",
    "sources",
    "contributions",
    "review",
    "outreach",
    "portal",  # its management commands (update_catalogues)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the cookie the switcher sets, else the browser's Accept-Language (no prefix in URLs);
    # after sign-in, accounts.middleware.UserLanguageMiddleware puts the profile's language first.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorForAdminMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "accounts.context_processors.notice_count",
            ],
        },
    },
]

# Database: one URL. SQLite by default so a fresh machine needs no server.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
# SQLite is shared by the web server and the workers (`make run`): a writer waits up to 30 s for another
# process's transaction instead of failing with "database is locked"; WAL lets readers go on meanwhile;
# transactions take the write lock when they begin (IMMEDIATE), so one that read first never has to
# upgrade its lock, which fails at once rather than wait.
SQLITE_OPTIONS = {
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Redis: when set, the Celery broker and the shared cache (rate limits need a shared cache).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
elif os.environ.get("CELERY_BROKER_DIR"):
    # `make run`: the dev server and its workers share one cache on disk, so rate limits hold across
    # processes and what a worker warms after a release (dataset/warming.py) serves the pages.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(Path(os.environ["CELERY_BROKER_DIR"]).resolve().parent / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},  # one release's warming stores about 1,400 entries
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5_000}}
    }

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth 65: login by email, mandatory verification, rate limits from the cache.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[COVID-19 Open Data] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
LOGIN_FAILURES_ALLOWED = env_int("LOGIN_FAILURES_ALLOWED", 5)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LOGIN_FAILURES_ALLOWED}/5m/ip,{LOGIN_FAILURES_ALLOWED}/5m/key",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "outreach:next_steps"  # volunteers without a finished profile go to onboarding first
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:onboarding"

# Two factors (allauth.mfa): an authenticator app (TOTP) with recovery codes. Reviewers and staff must
# set one up before they review or use the admin (accounts.permissions.needs_second_factor);
# volunteers may opt in from their profile. Sign-in asks for a code once it is set up.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_ADAPTER = "accounts.second_factor.MFAAdapter"
# Fernet keys that seal the authenticator apps' secrets in the database (accounts/sealing.py; the first
# seals, every one unseals). Empty: keys derived from SECRET_KEY and SECRET_KEY_FALLBACKS.
MFA_SECRETS_KEYS = env_list("MFA_SECRETS_KEYS")

# Email: SMTP in production; in development each mail is written to a file in EMAIL_FILE_PATH
# (sent-mail/) and the console prints one line saying to whom and where (portal.mail).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "COVID-19 Open Data <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "portal.mail.DevelopmentFileBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))  # filebased backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", PRODUCTION)
EMAIL_TIMEOUT = 20

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# The languages of the pages (docs/translations.md), each named in itself in the switcher. Catalogues live
# in locale/ (`manage.py update_catalogues`); files and the API are the same in every language.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("pt", "Português"),
    ("ar", "العربية"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]  # CLDR's number grouping where Django's differs (ar, zh-hans)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the switcher's choice is remembered for a year
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads and exports live outside the static root; uploads are served only through views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Files that the web servers and the workers share (uploads, normalised frames, problem CSVs: "default";
# published release files: "releases") live in one store: this machine's MEDIA_ROOT and EXPORTS_ROOT
# (STORAGE_BACKEND=local), or a bucket of any S3-compatible store (s3), under media/ and releases/.
# Value snapshots and the exports' working files stay on each worker's own disk (rebuildable caches).
# See docs/storage.md.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
if STORAGE_BACKEND not in {"local", "s3"}:
    raise ImproperlyConfigured("STORAGE_BACKEND must be local or s3")
_S3_OPTIONS = {
    "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
    "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # None: AWS itself
    "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
    # Unset: boto3's own chain (AWS_ACCESS_KEY_ID in the environment, a profile, an instance role).
    "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
    "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
    "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO and most others
    "signature_version": "s3v4",  # signed links that every region and S3-compatible store accepts
    "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),  # seconds a signed download link works
    # An opened stored file is kept in memory up to this size, then spilled to a temporary file.
    "max_memory_size": env_int("AWS_S3_MAX_MEMORY_SIZE", 8 * 1024 * 1024),
    "default_acl": None,  # objects are private; downloads go through signed links
}
if STORAGE_BACKEND == "s3" and not _S3_OPTIONS["bucket_name"]:
    raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if STORAGE_BACKEND == "local"
    else {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3_OPTIONS, "location": "media", "file_overwrite": False},
    },
    "releases": {"BACKEND": "common.storage.ExportsStorage"}  # EXPORTS_ROOT itself
    if STORAGE_BACKEND == "local"
    else {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3_OPTIONS,
            "location": "releases",
            "file_overwrite": True,
            # Release files are public data: with a CDN or a public bucket in front, links need no signature.
            "custom_domain": os.environ.get("AWS_RELEASES_DOMAIN") or None,
            "querystring_auth": not env_bool("AWS_RELEASES_PUBLIC"),
        },
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", 2_000_000)  # cells read from a workbook, all sheets
# The data memory a validation may use in a worker child (common.memory); 0: no limit.
VALIDATION_MEMORY_MB = env_int("VALIDATION_MEMORY_MB", 3072)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Celery's broker: Redis when REDIS_URL is set (production). Otherwise, when CELERY_BROKER_DIR names a
# folder (`make run` sets var/broker/), that folder on this machine (portal.file_broker): the web server
# hands tasks to the workers `make run` starts beside it, through the same queues as in production.
# With neither (tests, one-off manage.py commands), tasks run inline and their errors propagate.
CELERY_BROKER_DIR = "" if REDIS_URL else os.environ.get("CELERY_BROKER_DIR", "")
TASKS_INLINE = not (REDIS_URL or CELERY_BROKER_DIR)
# Eager tasks still open a (memory) broker connection: name its host, or kombu warns on every task.
CELERY_BROKER_URL = REDIS_URL or ("filesystem://localhost/" if CELERY_BROKER_DIR else "memory://localhost/")
CELERY_BROKER_TRANSPORT = "portal.file_broker:Transport" if CELERY_BROKER_DIR else None
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_IMPORTS = ["portal.tasks"]
CELERY_TASK_ALWAYS_EAGER = TASKS_INLINE
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20 * 60)
# A task not acknowledged within this time is delivered again: longer than the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 10 * 60)
}
if CELERY_BROKER_DIR:
    CELERY_BROKER_TRANSPORT_OPTIONS.update(file_broker_options(CELERY_BROKER_DIR))
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_KB", 1_500_000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "validate", "merge", "exports", "mail")]
CELERY_TASK_ROUTES = {
    "contributions.tasks.*": {"queue": "validate"},
    "review.tasks.merge_*": {"queue": "merge"},
    "dataset.tasks.build_exports*": {"queue": "exports"},
    "dataset.tasks.finish_exports*": {"queue": "exports"},
    "*.tasks.send_*": {"queue": "mail"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-merges": {"task": "review.tasks.sweep_stuck_merges", "schedule": 300.0},
    "expire-claims": {"task": "review.tasks.expire_claims", "schedule": 300.0},
    "reviewer-digest": {"task": "review.tasks.send_reviewer_digests", "schedule": crontab(hour=7, minute=0)},
    "check-source-freshness": {"task": "sources.tasks.check_all_sources", "schedule": crontab(hour=3, minute=30)},
    "run-due-feeds": {"task": "contributions.tasks.run_due_feeds", "schedule": 300.0},
    "resume-stalled-newsletters": {"task": "outreach.tasks.resume_stalled_newsletters", "schedule": 300.0},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.HashedTokenAuthentication",  # `Token <key>`, stored as a SHA-256 of the key
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api_errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [  # DRF's, keyed on the client address TRUSTED_PROXIES gives (common.client_ip)
        "common.throttling.AnonRateThrottle",
        "common.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "600/hour"),
        "user": os.environ.get("API_THROTTLE_USER", "5000/hour"),
        "upload": os.environ.get("API_THROTTLE_UPLOAD", "60/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "COVID-19 Open Data Portal API",
    "DESCRIPTION": "Reviewed, citable COVID-19 data from official sources, country by country.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind` and a `status`: give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "SubmissionKindEnum": "contributions.models.Submission.Kind",
        "SubmissionStatusEnum": "contributions.models.Submission.Status",
        "MetricKindEnum": "dataset.models.Metric.Kind",
        "SourceStatusEnum": "sources.models.Source.Status",
        "LocationLevelEnum": "dataset.models.Location.Level",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api_schema.add_error_responses",
        "portal.api_schema.name_operations",
    ],
}

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, e.g. 127.0.0.1 for nginx on
# the same host): every per-address rate limit (logins, public forms, the API) keys on the client they
# report (common.client_ip). Empty: the header is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, not every request

# Rate limits on public forms (newsletter, contact), per client IP.
PUBLIC_FORM_RATE = os.environ.get("PUBLIC_FORM_RATE", "10/h")
# Source proposals per volunteer in 24 hours (web form and API; reviewers are not limited).
SOURCE_PROPOSALS_PER_DAY = env_int("SOURCE_PROPOSALS_PER_DAY", 10)

# Moderation
REVIEW_CLAIM_MINUTES = env_int("REVIEW_CLAIM_MINUTES", 60)
MERGE_SWEEP_AFTER_MINUTES = env_int("MERGE_SWEEP_AFTER_MINUTES", 10)

# Sources: freshness checks never reach private addresses unless a test allows it.
FRESHNESS_ALLOW_PRIVATE_ADDRESSES = env_bool("FRESHNESS_ALLOW_PRIVATE_ADDRESSES", False)
FRESHNESS_TIMEOUT_SECONDS = float(os.environ.get("FRESHNESS_TIMEOUT_SECONDS", "10"))
FRESHNESS_MAX_REDIRECTS = env_int("FRESHNESS_MAX_REDIRECTS", 3)

# Newsletter: double opt-in links and sending in batches.
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", 3 * 24 * 3600)  # seconds a confirmation link works
NEWSLETTER_CONFIRM_RESEND_SECONDS = env_int("NEWSLETTER_CONFIRM_RESEND_SECONDS", 300)  # no second link before this
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 100)  # addresses per sending task
NEWSLETTER_CLAIM_LEASE_SECONDS = env_int("NEWSLETTER_CLAIM_LEASE_SECONDS", 120)  # a stalled batch is resumed after

# API responses cached per release under this key prefix (inside CACHE_KEY_PREFIX).
API_CACHE_PREFIX = os.environ.get("API_CACHE_PREFIX", "api")

# Exports of each release are written here (outside the static root; served by a view).
EXPORTS_ROOT = Path(os.environ.get("EXPORTS_ROOT", MEDIA_ROOT / "exports"))
# Releases whose files stay on disk besides the latest: the last EXPORTS_KEEP_LAST and every
# EXPORTS_KEEP_EVERY-th (0: none). Others are rebuilt on demand: manage.py export_dataset --release N.
EXPORTS_KEEP_LAST = int(os.environ.get("EXPORTS_KEEP_LAST", "10"))
EXPORTS_KEEP_EVERY = int(os.environ.get("EXPORTS_KEEP_EVERY", "10"))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), every profile: only the portal's own origin, nothing inline (tests/portal/
# test_csp.py), data: images (the QR code); debug pages exempt; the API docs widen it (portal/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True

# ---------------------------------------------------------------------------------------------------
# Observability (issue 17): health, metrics and logs (portal/observability/). Kept in one block.
# ---------------------------------------------------------------------------------------------------
INSTALLED_APPS += ["portal.observability"]
# First, so each request is timed whole and counted with the status it finally got.
MIDDLEWARE.insert(0, "portal.observability.middleware.ObservabilityMiddleware")

# /health/: a queue's workers are failing when its heartbeat is older than this (beat sends one to each
# queue every HEALTH_HEARTBEAT_SECONDS; the exports worker may be busy for minutes with a big release).
HEALTH_HEARTBEAT_SECONDS = env_int("HEALTH_HEARTBEAT_SECONDS", 60)
HEALTH_WORKER_STALE_SECONDS = env_int("HEALTH_WORKER_STALE_SECONDS", 300)
CELERY_BEAT_SCHEDULE.update(
    {
        f"heartbeat-{queue.name}": {
            "task": "portal.observability.tasks.heartbeat",
            "schedule": float(HEALTH_HEARTBEAT_SECONDS),
            "args": (queue.name,),
            "options": {"queue": queue.name, "expires": HEALTH_WORKER_STALE_SECONDS},  # stale anyway after
        }
        for queue in CELERY_TASK_QUEUES
    }
)

# /metrics (Prometheus): only clients in METRICS_ALLOWED_IPS (addresses or networks; the client as
# TRUSTED_PROXIES reports it) or with `Authorization: Bearer METRICS_TOKEN`. Several processes on a host
# (gunicorn workers, Celery's pool) share counters through PROMETHEUS_MULTIPROC_DIR (read by
# prometheus_client itself): an empty folder, the same for the web server and the workers of the host.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "" if PRODUCTION else "127.0.0.1,::1")
for _network in METRICS_ALLOWED_IPS:
    ipaddress.ip_network(_network, strict=False)  # a typo stops the start, not every scrape
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# After a release, per-release summaries (home page, countries index, place pages) missing for it are
# answered from the release before for this many seconds while warm_caches computes them in the worker
# (dataset/kept.py); 0: the first reader computes them (development and tests).
RELEASE_STALE_SECONDS = env_int("RELEASE_STALE_SECONDS", 60 if PRODUCTION else 0)
# A `celery worker` (worker-only hosts have no /metrics page) serves its task counts and durations on
# this port, to the same clients (portal/observability/worker.py); 0 or unset: no port.
WORKER_METRICS_PORT = env_int("WORKER_METRICS_PORT", 0)

# Logs: LOG_FORMAT=json writes one JSON object a line (the production default), with the submission,
# release and task ids when known; text is for people at a console (the development default).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise RuntimeError("LOG_FORMAT must be json or text")
# Celery would replace the root logger's handlers with its own format: the worker logs as the web does.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT == "text"

# One handler, on the root logger: every record is printed once. Django first installs its own
# defaults (a console handler on "django", one on "django.server"); naming those loggers here removes
# their handlers, so "django" records reach the console only through the root logger.
LOGGING_CONFIG = "portal.observability.logs.configure"  # dictConfig; with JSON logs, warnings logged too
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "portal.observability.context.ContextFilter"}},
    "formatters": {
        "console": {
            "format": "[{asctime}] {levelname} {name}: {message}",
            "style": "{",
            "datefmt": "%d/%b/%Y %H:%M:%S",
        },
        "json": {"()": "portal.observability.logs.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "console",
            "filters": ["context"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["context"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "django.server": {"handlers": ["django.server"], "propagate": False},  # runserver's request lines
        "django.db.backends": {"level": "WARNING"},
        # Inline (eager) tasks would log a "Task ... succeeded" line each; failures still show.
        **({"celery": {"level": "WARNING"}} if TASKS_INLINE else {}),
    },
}

# Feeds (sources.feeds, contributions.feed_runs): fetched files are capped like uploads; a run of a
# date-pattern feed fetches at most FEED_MAX_DAYS_PER_RUN days; a backfill at most FEED_BACKFILL_MAX_DAYS.
FEED_MAX_BYTES = env_int("FEED_MAX_BYTES", UPLOAD_MAX_BYTES)
FEED_TIMEOUT_SECONDS = float(os.environ.get("FEED_TIMEOUT_SECONDS", "30"))
FEED_MAX_DAYS_PER_RUN = env_int("FEED_MAX_DAYS_PER_RUN", 7)
FEED_BACKFILL_MAX_DAYS = env_int("FEED_BACKFILL_MAX_DAYS", 400)
