"""One settings module for every environment, driven by environment variables.

The defaults start the embedded mode (SQLite file, Celery tasks run in-process, e-mail to
the console). Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, DEBUG=False,
ALLOWED_HOSTS and EMAIL_URL; see .env.example.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
for _name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_URL", "CACHE_URL"):
    if not os.environ.get(_name):  # an empty value means "not set": the embedded default
        os.environ.pop(_name, None)

DEBUG = env.bool("DEBUG", default=True)
# The fallback key only serves the embedded demo (DEBUG); production must set its own.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is False.")
    SECRET_KEY = "django-insecure-embedded-demo-only-" + "x" * 30
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
if not DEBUG and not [host for host in ALLOWED_HOSTS if host]:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is False (the site's name, e.g. "
        "theodoi.example.gov.vn)."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "template_partials",
    "axes",
    "health_check",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "documents",
    "tasks",
    "indicators",
    "notifications",
    "reports",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ApiErrorMiddleware",
    "portal.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "portal.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.unread_count",
            ],
            "builtins": ["portal.templatetags.portal_tags"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles the scoped list queries on every request and costs more than
    # it saves (measured by `make bench`: API median 921 -> 151 ms at the small size).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
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

# --- Vietnamese first ---------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence files live outside the web root and are served through a permission check.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
# Uploaded files are streamed to a temporary file on disk, never held whole in memory, and
# refused (413 in the API, a 400 page) as soon as one passes EVIDENCE_MAX_BYTES or the
# request REQUEST_BODY_MAX_BYTES (portal.uploads). Caddy refuses a larger body before Django.
FILE_UPLOAD_HANDLERS = ["portal.uploads.CappedTemporaryFileUploadHandler"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the body without its files (forms, JSON)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=50 * 1024 * 1024)
# JSON bodies nested deeper than this are refused with 400 (portal.parsers.JSONParser).
API_JSON_MAX_DEPTH = 32
# The signed periodic report a unit uploads (PDF, kept byte for byte).
SIGNED_REPORT_MAX_BYTES = env.int("SIGNED_REPORT_MAX_BYTES", default=20 * 1024 * 1024)

# --- Sessions and security ----------------------------------------------------------------
# 30 minutes idle (the cookie is renewed on every request), 12 hours in all
# (accounts.middleware.SessionLifetimeMiddleware ends older sessions).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Five wrong passwords for one username lock that account for 30 minutes, from whatever
# addresses they came (the database handler: every process sees the same count). The client
# address in the log is X-Forwarded-For's only when the request came from TRUSTED_PROXIES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "portal.proxy.client_ip"
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1/32", "::1/128"])
# axes.W006 warns that a lockout without the address can be dodged by rotating cookies or
# user agents; ours keys on the username alone, which no rotation changes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"
# TOTP codes (portal.two_factor) for administrators and reviewers; off in the embedded demo.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Cổng theo dõi nghị quyết"

# --- Cache --------------------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# The API throttle counts in Redis, so every gunicorn worker shares one budget per token;
# short socket timeouts, and portal.throttling lets requests through while Redis is down.
_REDIS_URL = env.str("REDIS_URL", default="")
CACHES["throttle"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _REDIS_URL,
        "KEY_PREFIX": "throttle",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if _REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
)

# --- E-mail -------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds before an SMTP server that does not answer fails the send (it is retried), well
# inside the Celery task time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Cổng theo dõi nghị quyết <noreply@localhost>"
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Django REST framework ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "portal.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["portal.throttling.TokenRateThrottle"],
    # Per token, counted in Redis (CACHES["throttle"]) across processes.
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_THROTTLE_RATE", default="1200/min")},
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DATE_FORMAT": "iso-8601",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
SPECTACULAR_SETTINGS = {
    "TITLE": "API Cổng theo dõi thực hiện nghị quyết",
    "DESCRIPTION": "Trạng thái nhiệm vụ, báo cáo tiến độ và chỉ tiêu; phiên bản v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A message a worker took but never acknowledged (the worker was killed) goes back to the
# queue after the visibility timeout; kombu looks for such messages every 10 s. Every task
# is stopped (hard limit) before that timeout, so none is handed to a second worker while
# the first still runs it.
BROKER_VISIBILITY_TIMEOUT = env.int("BROKER_VISIBILITY_TIMEOUT", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_TIME_LIMIT = BROKER_VISIBILITY_TIMEOUT * 8 // 10
CELERY_TASK_SOFT_TIME_LIMIT = BROKER_VISIBILITY_TIMEOUT * 7 // 10
# A worker process keeps its database connection for this many tasks (Celery's Django
# fixup) instead of reconnecting for every task.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
# One daily scan; it also queues the sends, the daily digests and (once a week) the
# reviewers' overdue digest. Reminders are never scheduled ahead with an ETA (see
# notifications/services.py): two beats or a lost message only repeat a scan the database
# de-duplicates.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Before the scan: tasks whose stored completion drifted from their tracks (a write that
    # went around the services) are recomputed, so the day's statuses and reminders agree.
    "task-completion-repair-daily": {
        "task": "tasks.completion_repair",
        "schedule": crontab(hour=6, minute=30),
    },
    # As the day starts, the stored open due dates today's lists and reminders judge by
    # (tasks.services.open_due_repair): drift fixed, yearly duties with no start restarted
    # on 1 January.
    "task-open-due-repair-daily": {
        "task": "tasks.open_due_repair",
        "schedule": crontab(hour=0, minute=5),
    },
    "reminder-scan-daily": {
        "task": "notifications.reminder_scan",
        "schedule": crontab(hour=7, minute=0),  # CELERY_TIMEZONE: Asia/Ho_Chi_Minh
    },
}
REMINDER_OFFSETS_DAYS = env.list("REMINDER_OFFSETS_DAYS", cast=int, default=[30, 14, 7, 1])
# Coordinating units are asked for their input this many days before the deadline.
REMINDER_COORDINATE_OFFSETS_DAYS = env.list(
    "REMINDER_COORDINATE_OFFSETS_DAYS", cast=int, default=[30, 14]
)
# A track that has just fallen overdue is mailed once within this many days of its due date.
REMINDER_OVERDUE_WINDOW_DAYS = env.int("REMINDER_OVERDUE_WINDOW_DAYS", default=7)
# Quarter progress reports (Decree 09/2019/NĐ-CP): due on this day of the quarter's last
# month; units are reminded this many days before (10: the day after the 14th's cut-off).
REMINDER_REPORT_DUE_DAY = env.int("REMINDER_REPORT_DUE_DAY", default=25)
REMINDER_REPORT_OFFSETS_DAYS = env.list("REMINDER_REPORT_OFFSETS_DAYS", cast=int, default=[10, 1])

# One line per record; LOG_FORMAT=json (production) writes JSON objects. Every record made
# while a request is served carries its request id (X-Request-Id, set by the proxy or here).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env.str("LOG_FORMAT", default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
