"""Settings shared by every environment. Everything configurable comes from the environment.

The embedded default (no DATABASE_URL, no CELERY_BROKER_URL) is SQLite with Celery eager,
so `make run` needs nothing installed.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_origin(name: str, default: str | None = None) -> str:
    """An origin such as `https://portal.example.org`: scheme and host, no path."""
    value = env_str(name, default).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise ImproperlyConfigured(
            f"{name} must be the portal's origin, like https://portal.example.org, not {value!r}."
        )
    return value


# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
ROOT_URLCONF = "hubdelivery.urls"
WSGI_APPLICATION = "hubdelivery.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The portal's public origin. Every link in every email is built from it
# (hubdelivery.lib.urls.absolute_url), and the Sites table's row SITE_ID follows its host
# after each migrate (accounts.apps.site_sync). Production requires it.
SITE_URL = env_origin("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "partners",
    "packages",
    "routing",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hubdelivery.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the `django_language` cookie, else Accept-Language, else English...
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # ...unless the signed-in user saved one (User.language), which wins.
    "accounts.middleware.UserLanguageMiddleware",
    # Sees every response of the views and of the middleware below (the MFA redirect).
    "hubdelivery.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.OpsMfaRequiredMiddleware",
]

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
                "accounts.context_processors.navigation",
                "packages.context_processors.delivery_rules",
                "packages.context_processors.phone_app",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database: SQLite by default, DATABASE_URL (PostgreSQL) in production and CI.
# Persistent connections with health checks: a new connection per request costs
# several times the request itself. DATABASE_POOLER=pgbouncer when DATABASE_URL names
# PgBouncer in transaction mode (several machines: docs/deployment.md).
# ------------------------------------------------------------------------------
DATABASE_POOLERS = ("", "pgbouncer")
# SQLite (the `make run` demo, runserver's threads) has no row locks. A transaction begun
# DEFERRED reads first and asks for the write lock at its first write; when two do that at
# once, each holds a read lock the other's write must wait for, so SQLite answers "database
# is locked" at once instead of waiting. IMMEDIATE takes the write lock at BEGIN, where SQLite
# does wait (up to `timeout` seconds): two identical sync batches run one after the other and
# the second finds the first's events. Past the timeout the API answers 503 (hubdelivery.api).
# Django's SQLite notes, "Database is locked errors", recommend both.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}


def database_config(*, pooler: str, conn_max_age: int) -> dict:
    """The default database from DATABASE_URL, shaped for the pooler in front of it.

    Behind PgBouncer in transaction mode each transaction may get another server
    connection, so a server-side cursor (QuerySet.iterator()) would be lost between them:
    they are turned off and Django fetches rows in chunks on the client instead."""
    if pooler not in DATABASE_POOLERS:
        raise ImproperlyConfigured(
            f"DATABASE_POOLER must be one of {DATABASE_POOLERS}, not {pooler!r}."
        )
    config = dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=conn_max_age,
        conn_health_checks=True,
    )
    if pooler == "pgbouncer":
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**config.get("OPTIONS", {}), **SQLITE_OPTIONS}
    return config


DATABASES = {
    "default": database_config(
        pooler=env_str("DATABASE_POOLER", ""), conn_max_age=env_int("CONN_MAX_AGE", 600)
    )
}

# ------------------------------------------------------------------------------
# Cache: Redis when configured (allauth's rate limits need a shared cache), locmem otherwise.
# Redis down degrades rather than fails: each rate limit's fault policy is in
# hubdelivery.lib.ratelimit.FAULT_POLICIES. The short socket timeouts make an unanswering
# host count as down within a second.
# ------------------------------------------------------------------------------
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "")
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "hubdelivery.lib.cache.DegradingRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------
# Auth and allauth
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Not the Sites name (a host name): every allauth subject starts with the portal's name.
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Hub Delivery] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Bandit B105 takes the key "reset_password" below for a password; its value is a rate.
ACCOUNT_RATE_LIMITS = {  # nosec B105
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# The portal's own public forms (hubdelivery.lib.ratelimit), same format and cache as above.
PORTAL_RATE_LIMITS = {
    "eligibility_check": "30/m/ip,300/h/ip",
    "waitlist_join": "10/m/ip,50/d/ip",
    "application_save": "30/m/user,300/h/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Hub Delivery Partner Portal"
# Ops accounts must have an authenticator. Demo accounts are exempt while DEBUG is on.
OPS_MFA_REQUIRED = env_bool("OPS_MFA_REQUIRED", True)

# ------------------------------------------------------------------------------
# Internationalisation and time: store UTC, show each partner's local time.
# ------------------------------------------------------------------------------
# English and US Spanish (docs/i18n.md). The language of a request: the signed-in user's saved
# preference (accounts.middleware.UserLanguageMiddleware), then the `django_language` cookie
# the switcher sets, then Accept-Language, then English. Catalogs in locale/, compiled by
# `manage.py compiletranslations`; dates and numbers in hubdelivery/formats/<lang>/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["hubdelivery.formats"]
# The switcher's choice outlives the browser session (a shared counter device keeps it).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Static and uploaded files. Uploads live outside the static root and are served
# only through authenticated views.
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_STORAGES = ("", "s3")


def media_storage(kind: str) -> dict:
    """Where uploads (documents, proof photos) are kept: MEDIA_ROOT on this machine's disk
    (or a volume every node mounts), or MEDIA_STORAGE=s3 for a bucket every node shares.

    The bucket stays private: no ACL is sent, so objects get the bucket's own (block public
    access on it), and every URL django-storages makes is signed and expires in five minutes.
    The portal's views stream files through the app after their access checks anyway."""
    if kind not in MEDIA_STORAGES:
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be one of {MEDIA_STORAGES}, not {kind!r}.")
    if kind == "":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MEDIA_S3_BUCKET"),
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MEDIA_S3_REGION", "") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "signature_version": "s3v4",
            # Two uploads with one name keep both files: a later one never replaces a proof.
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": media_storage(env_str("MEDIA_STORAGE", "")),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 26_214_400

# ------------------------------------------------------------------------------
# Maps: Leaflet is vendored under static/vendor/leaflet; tiles come from this URL
# template (empty: no tiles, the pin and coordinates still show).
# ------------------------------------------------------------------------------
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")

# ------------------------------------------------------------------------------
# Browser security headers
# Content-Security-Policy (django-csp): scripts and styles only from our own origin, so no
# inline script or style runs anywhere. Exceptions, each for a reason:
# - 'wasm-unsafe-eval' on the two pages with the camera scanner only (packages.views.handoff
#   .camera_scanner_page): its fallback decoder compiles WebAssembly (not JavaScript eval).
# - img-src data: Leaflet's and Swagger UI's icons; the map tile host for the route maps.
# htmx's own indicator <style> is switched off in base.html (meta htmx-config).
# ------------------------------------------------------------------------------


def tile_origin(url_template: str) -> str:
    """The CSP source for a tile URL template; a {s} subdomain becomes a wildcard."""
    parts = urlsplit(url_template)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}" if url_template else ""


MAP_TILE_ORIGIN = tile_origin(MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MAP_TILE_ORIGIN] if MAP_TILE_ORIGIN else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
# Only the scanner uses a device feature: the camera, on our own pages.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"

# ------------------------------------------------------------------------------
# Email
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hub Delivery <no-reply@hubdelivery.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OPS_EMAIL = env_str("OPS_EMAIL", "ops@hubdelivery.example")

# ------------------------------------------------------------------------------
# Celery: eager without a broker (embedded default), Redis in production.
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Two queues, each with time limits under its Redis visibility timeout: Redis redelivers an
# unacknowledged task (its worker died) once the timeout passes, so the timeout bounds how
# long a lost task waits, and must exceed the hard limit or a running task would be delivered
# twice. Short tasks on the default queue; the long ones (under a minute at the benchmarks'
# worst case, docs/performance.md) on their own. The visibility timeout is a transport option,
# one per worker process: hubdelivery.celery.worker_transport_for_its_queues gives a worker
# consuming the long queue LONG_TASKS_TRANSPORT_OPTIONS, with unacknowledged-message keys of
# its own so a default worker's sweep never redelivers a long task still running.
CELERY_TASK_DEFAULT_QUEUE = "celery"
LONG_TASKS_QUEUE = "long"
LONG_TASKS = [
    "routing.tasks.capacity_check_task",
    "routing.tasks.packages_assign_task",
    "routing.tasks.routes_build_task",
    "routing.tasks.partner_route_build_task",
    "dashboard.tasks.weekly_statements_compute_task",
    "packages.tasks.packages_personal_data_purge_task",
]
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in (CELERY_TASK_DEFAULT_QUEUE, LONG_TASKS_QUEUE)
]
CELERY_TASK_ROUTES = {name: {"queue": LONG_TASKS_QUEUE} for name in LONG_TASKS}
CELERY_TASK_SOFT_TIME_LIMIT = 2 * 60
CELERY_TASK_TIME_LIMIT = 3 * 60
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": 7 * 60, "time_limit": 8 * 60} for name in LONG_TASKS
}
# Sweep for expired unacknowledged messages every 10 s (kombu's default is every 100 s).
RESTORE_EVERY_10_SECONDS = {"unacked_restore_interval": 10, "unacked_restore_throttle": 1}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5 * 60, **RESTORE_EVERY_10_SECONDS}
LONG_TASKS_TRANSPORT_OPTIONS = {
    "visibility_timeout": 10 * 60,
    "unacked_key": "unacked_long",
    "unacked_index_key": "unacked_index_long",
    "unacked_mutex_key": "unacked_mutex_long",
    **RESTORE_EVERY_10_SECONDS,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "sessions-clear-expired": {
        "task": "accounts.tasks.sessions_clear_expired_task",
        "schedule": crontab(hour=3, minute=17),
    },
    # Every two minutes: emails whose task was lost (broker down, message dropped) are queued
    # again, capped per run, and given up on with an ERROR log (accounts.emails.outbox_sweep).
    "accounts-outbox-sweep": {
        "task": "accounts.tasks.outbox_sweep_task",
        "schedule": crontab(minute="*/2"),
    },
    # Hourly guard: each time zone's capacity check runs once its local evening starts, and a
    # night that was missed (worker or beat down) is caught up at the next hour.
    "capacity-checks-due": {
        "task": "routing.tasks.capacity_checks_enqueue_due_task",
        "schedule": crontab(minute=10),
    },
    # Nightly: blank recipients' names and addresses past their retention (docs/data-retention.md).
    "packages-personal-data-purge": {
        "task": "packages.tasks.packages_personal_data_purge_task",
        "schedule": crontab(hour=4, minute=7),
    },
    # Hourly, so each partner resumes soon after midnight in its own time zone.
    # Yearly, and on the 1st of each month in case a year was missed: federal holidays of this
    # year and the next in the calendar (partners.services.holidays).
    "partners-federal-holidays-seed": {
        "task": "partners.tasks.federal_holidays_seed_task",
        "schedule": crontab(hour=2, minute=11, day_of_month=1),
    },
    "partners-resume-due": {
        "task": "partners.tasks.partners_resume_due_task",
        "schedule": crontab(minute=5),
    },
    # Mondays, hourly (UTC): every US zone's Sunday ends during a UTC Monday, so each partner's
    # week is computed within the hour after it ends; re-runs replace, never duplicate.
    "dashboard-weekly-statements": {
        "task": "dashboard.tasks.weekly_statements_compute_task",
        "schedule": crontab(minute=25, day_of_week="mon"),
    },
    # Hourly: each owner hears tomorrow's volume once their local evening (18:00) has begun.
    "dashboard-tomorrow-volume": {
        "task": "dashboard.tasks.tomorrow_volume_notify_task",
        "schedule": crontab(minute=40),
    },
    # Every minute: the dashboard's daily facts of what changed (dashboard.services.facts_refresh).
    "dashboard-facts-refresh": {
        "task": "dashboard.tasks.facts_refresh_task",
        "schedule": crontab(),
    },
    # 12:30 UTC, 07:30 in New York: yesterday's operations and the open findings, to ops.
    "dashboard-ops-daily-digest": {
        "task": "dashboard.tasks.ops_daily_digest_task",
        "schedule": crontab(hour=12, minute=30),
    },
}

# ------------------------------------------------------------------------------
# REST framework and OpenAPI
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # DSP systems' `Bearer` keys count everywhere, so `/api/v1/me` answers them too.
    # User tokens are refused to ops roles (accounts.authentication): they carry no second factor,
    # and to stopped drivers (packages.authentication).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "packages.authentication.DspTokenAuthentication",
        "packages.authentication.PersonTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hubdelivery.api.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "3000/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hub Delivery Partner Portal API",
    "DESCRIPTION": "Manifests, packages, package events and handoffs for DSP systems and partners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components, so they can say what only input has
    # (`minLength: 1` for a field that may not be blank).
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "packages.schema.document_unsupported_media_type",
    ],
    # Swagger UI from the installed sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
# One JSON object a line (python-json-logger) by default, for log shippers; LOG_FORMAT=plain
# for reading in a terminal. Every line carries `request_id` (hubdelivery/lib/requestid.py),
# in the worker too: the worker keeps this configuration rather than its own.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOG_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hubdelivery.lib.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": LOG_FIELDS},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "format": LOG_FIELDS},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# ------------------------------------------------------------------------------
# Demo data: each app seeds its own, lowest app first (manage.py seed_demo).
# ------------------------------------------------------------------------------
DEMO_SEEDERS = [
    "accounts.demo",
    "partners.demo",
    "partners.demo_recruiting",
    "packages.demo",
    "routing.demo",
    "dashboard.demo",
]

# ------------------------------------------------------------------------------
# Capacity check (routing): when it runs, what it flags
# ------------------------------------------------------------------------------
CAPACITY_CHECK_LOCAL_HOUR = env_int("CAPACITY_CHECK_LOCAL_HOUR", 20)
# Holidays are in the calendar ops manage (partners.HolidayDay), not here.
# Closure days a partner may declare per calendar year; ops admins may override with a reason.
CLOSURE_ALLOWANCE_DAYS = env_int("CLOSURE_ALLOWANCE_DAYS", 5)
CAPACITY_SUCCESS_TARGET = float(env_str("CAPACITY_SUCCESS_TARGET", "0.985"))
CAPACITY_SUCCESS_MIN_PACKAGES = env_int("CAPACITY_SUCCESS_MIN_PACKAGES", 20)
CAPACITY_NEIGHBOUR_MAX_MILES = float(env_str("CAPACITY_NEIGHBOUR_MAX_MILES", "5"))
CAPACITY_HISTORY_DAYS = env_int("CAPACITY_HISTORY_DAYS", 14)

# ------------------------------------------------------------------------------
# Routing: distances from an OSRM server when configured, straight-line otherwise
# ------------------------------------------------------------------------------
ROUTING_OSRM_URL = env_str("ROUTING_OSRM_URL", "")
ROUTING_OSRM_TIMEOUT = float(env_str("ROUTING_OSRM_TIMEOUT", "10"))
