"""Liner settings: everything comes from the environment (django-environ).

Two modes, one code path:

* embedded (the default): SQLite, a local media folder and kombu's filesystem broker, all
  under one data folder (``LINER_DATA_DIR``, ``var/`` by default). Runs with no ``.env``.
* scale: ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` (Redis or RabbitMQ), S3-compatible
  storage through django-storages. ``DJANGO_ENV=production`` turns on the hardened settings and
  refuses to start without its secrets.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DATA_DIR = Path(env.str("LINER_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
for sub in ("media", "broker", "broker-control", "logs", "tmp", "static"):
    (DATA_DIR / sub).mkdir(parents=True, exist_ok=True)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. DJANGO_ENV=production refuses to start without it; "
            f"set {name} in the environment (see README, 'Production')."
        )
    return value


def _embedded_secret_key(folder: Path) -> str:
    """The install's own key, made once in its data folder (readable by its owner only).

    A key in the code would be the same for every self-hosted Liner, so anyone could forge
    its sessions and invitation links. The web server, the worker and the scheduler started
    together may race to make it: the first write wins and the others read it.
    """
    path = folder / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the writer may not have finished
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise ImproperlyConfigured(f"{path} is empty; delete it and start again.") from None
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


if PRODUCTION:
    SECRET_KEY = _required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
    DEBUG = False
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _embedded_secret_key(DATA_DIR)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
    DEBUG = env.bool("DJANGO_DEBUG", default=True)

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "collaborators",
    "audio",
    "releases",
    "rights",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collaborators.context_processors.workspace",
                "releases.context_processors.guest",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'liner.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL + a busy timeout let the web server and the worker share the file.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not memory, so a real Celery worker started by the tests sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-liner.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env.str("LINER_DATABASE_NAME", default=""):
    # Lets a worker started by the test suite use the test database (see tests/conftest.py).
    DATABASES["default"]["NAME"] = env.str("LINER_DATABASE_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "collaborators.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling (django-axes): lock an email+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("LINER_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LINER_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "collaborators.views.lockout_response"
AXES_ENABLED = env.bool("LINER_LOGIN_THROTTLE", default=True)
AXES_IPWARE_PROXY_COUNT = env.int("LINER_PROXY_COUNT", default=0) or None

INVITATION_MAX_AGE = timedelta(days=env.int("LINER_INVITATION_DAYS", default=14))

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.staticfinders.PackageFilesFinder",  # plotly.js from the plotly package
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("LINER_MEDIA_ROOT", default=DATA_DIR / "media")
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

_storage_backend = env.str("LINER_STORAGE", default="local")
if _storage_backend == "s3":
    # Any S3-compatible store (AWS, MinIO, Garage …); needs the 's3' extra (boto3).
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("LINER_S3_BUCKET"),
            "endpoint_url": env.str("LINER_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("LINER_S3_REGION", default=None),
            "access_key": env.str("LINER_S3_ACCESS_KEY", default=None),
            "secret_key": env.str("LINER_S3_SECRET_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded mode (`make run`, gunicorn included) serves static files where they are: static/,
# the apps, and the packages that ship them (plotly.js, Swagger UI). whitenoise lists them when
# the server starts (looks them up per request with DEBUG on), so there is nothing to collect
# and, after an upgrade, nothing stale to serve. Production serves collectstatic's hashed,
# compressed copies from STATIC_ROOT instead.
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(DATA_DIR / "mail"))
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Liner <liner@localhost>")
LINER_BASE_URL = env.str("LINER_BASE_URL", default="http://127.0.0.1:8000")

# --- Cache ----------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://liner")}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = str(DATA_DIR / "broker")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _broker_dir,
        "data_folder_out": _broker_dir,
        "processed_folder": str(DATA_DIR / "broker-processed"),
        # Broadcast/control messages (worker pings, remote control) also stay under DATA_DIR.
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60 * 2}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="liner")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Re-send jobs (of every app) a broker outage left queued, or a dead worker left running.
    "jobs-sweep": {"task": "jobs.sweep", "schedule": 60.0},
    # Licences ending within 90, 30 or 7 days: their owners are told, once each (07:00).
    "rights-licence-alerts": {
        "task": "rights.licence_alerts",
        "schedule": crontab(hour=7, minute=0),
    },
}

# --- Background jobs (collaborators.jobs) ---------------------------------------------------
# A running job whose heartbeat is older than this lost its worker and may be taken over.
JOB_STALE_SECONDS = env.int("LINER_JOB_STALE_SECONDS", default=120)
# A job queued longer than this without starting is sent to the broker again by the sweep.
JOB_REQUEUE_SECONDS = env.int("LINER_JOB_REQUEUE_SECONDS", default=300)

# --- Audio ----------------------------------------------------------------------------------
# Uploads larger than this are refused before they are stored (default 2 GB).
AUDIO_MAX_UPLOAD_BYTES = env.int("LINER_AUDIO_MAX_UPLOAD_BYTES", default=2 * 1024**3)

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "collaborators.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "collaborators.schema.AutoSchema",
    "EXCEPTION_HANDLER": "collaborators.api_support.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("LINER_AUTH_THROTTLE", default="10/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Liner API",
    "DESCRIPTION": (
        "Plan releases, master and QC audio, keep rights and splits straight, track royalties.\n\n"
        "Log in with `POST /api/auth/token/` and send `Authorization: Token <key>`; a browser "
        "session works too (writes then need the CSRF token).\n\n"
        'Every error has one shape, the `Error` component: `{"detail": "...", "code": "...", '
        '"fields": {...}}`. `detail` is a sentence for a person, `code` a stable word for a '
        "program, `fields` each invalid field's messages (empty otherwise). Each operation lists "
        "the statuses it can answer. The codes:\n\n"
        "* 400: a field's own code (`required`, `blank`, `null`, `invalid`, `invalid_choice`, "
        "`max_length`, `max_value`, `min_value` …, with `fields`); `parse_error` (a body that "
        "is not JSON); `bad_request` (a body over the size limit, or unreadable); "
        "`invalid_credentials` (the token exchange)\n"
        "* 401: `not_authenticated` (no token), `authentication_failed` (a token that is not "
        "valid)\n"
        "* 403: `permission_denied` (your role in the workspace does not allow it, or a "
        "session write without its CSRF token)\n"
        "* 404: `not_found` (no such thing, or not yours: another workspace's objects are "
        "never a 403); `not_ready` (a waveform or a job's file not made yet)\n"
        "* 405 `method_not_allowed`, 406 `not_acceptable`, 415 `unsupported_media_type`: the "
        "request does not match this schema\n"
        "* 413: `too_large` (an upload over the limit, refused before it is read)\n"
        "* 429: `throttled` (too many token requests or failed logins; `Retry-After` when "
        "known)\n"
        "* 500: `error` (logged on our side)"
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "WorkspaceKindEnum": "collaborators.models.Workspace.Kind",
        "JobKindEnum": "audio.models.Job.Kind",
        "RoleEnum": "collaborators.permissions.Role",
        "PersonRoleEnum": "collaborators.models.PersonRole",
        "CurrencyEnum": "collaborators.serializers.CURRENCY_CHOICES",
        "TimeZoneEnum": "collaborators.serializers.TIME_ZONE_CHOICES",
        "RenderFormatEnum": "audio.serializers.RENDER_FORMAT_CHOICES",
        "CreditRoleEnum": "releases.models.Credit.Role",
        "ReleaseStatusEnum": "releases.models.Release.Status",
        "JobStatusEnum": "collaborators.jobs.models.JobStatus",
        "SplitKindEnum": "rights.models.SplitKind",
        "LicenceKindEnum": "rights.models.licences.LicenceKind",
        "LicenceStatusEnum": "rights.models.licences.LicenceStatus",
        "StatementStatusEnum": "rights.models.Statement.Status",
        "PeriodStatusEnum": "rights.models.Period.Status",
        "WorkRoleEnum": "rights.models.works.WorkRole",
        "ShareRoleEnum": "rights.models.splits.ShareRole",
    },
    # Swagger UI and ReDoc are served from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LINER_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Production hardening -------------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
