"""Critvue settings: every value comes from the environment (or a `.env` file), read here only."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from pythonjsonlogger.core import RESERVED_ATTRS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# The insecure development key; the critvue.E001 check refuses it whenever DEBUG is off.
DEVELOPMENT_SECRET_KEY = "django-insecure-critvue-development-only"

env = environ.Env()
# manage.py, wsgi.py and asgi.py name the .env file; the test suite reads the environment alone.
if os.environ.get("CRITVUE_ENV_FILE") and Path(os.environ["CRITVUE_ENV_FILE"]).is_file():
    env.read_env(os.environ["CRITVUE_ENV_FILE"])

SECRET_KEY = env.str("SECRET_KEY", default="") or DEVELOPMENT_SECRET_KEY
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Proxies whose X-Forwarded-For is believed (addresses or CIDR blocks): the client is the right-most
# address in it that is not one of them (critvue.clients). From any other peer the header is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    # runserver leaves static files to WhiteNoise, inside the middleware: a missing one is a JSON 404 too.
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "django_tasks",
    "django_tasks_db",
    "critvue",
    "mediakit",
    "accounts",
    "avatars",
    "persona_media",
    "moderation",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "critvue.middleware.JSONErrorPages",
    "critvue.logs.ClientAddress",
    "django.middleware.security.SecurityMiddleware",
    "critvue.middleware.RequireContentLength",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "critvue.middleware.DependencyFailures",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "critvue.urls"
WSGI_APPLICATION = "critvue.wsgi.application"
# Every route answers with and without a trailing slash itself; never redirect (POST bodies).
APPEND_SLASH = False

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
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded SQLite file lives in the project's var/ folder
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, for the SQLite test database: threads share it and it can be closed.
    # One per test process, so that runs started side by side never delete each other's.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    # Take the write lock at BEGIN: concurrent writers wait their turn instead of failing
    # with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Dependency timeouts: a database, cache or storage that hangs costs a request seconds, never a worker
# (mediakit.faults turns the errors into 503 service_unavailable within 15 s).
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)  # seconds; libpq's minimum is 2
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=10_000)
CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=1.0)  # Redis connect and each reply
# One S3 call that hangs costs at most S3_MAX_ATTEMPTS × S3_READ_TIMEOUT (+ under a second of back-off).
S3_CONNECT_TIMEOUT = env.float("S3_CONNECT_TIMEOUT", default=2.0)
S3_READ_TIMEOUT = env.float("S3_READ_TIMEOUT", default=3.0)
S3_MAX_ATTEMPTS = env.int("S3_MAX_ATTEMPTS", default=2)
# /health answers within this many seconds, whatever hangs; its storage probe wants this much free space.
HEALTH_TIMEOUT_SECONDS = env.float("HEALTH_TIMEOUT_SECONDS", default=4.0)
STORAGE_MIN_FREE_BYTES = env.int("STORAGE_MIN_FREE_BYTES", default=100 * 1024 * 1024)
# The answer's Retry-After while a dependency is unavailable.
SERVICE_UNAVAILABLE_RETRY_AFTER = env.int("SERVICE_UNAVAILABLE_RETRY_AFTER", default=30)
# A server that stops answering mid-connection enforces no statement_timeout: the client gives up on
# any round trip after this many seconds (critvue.postgresql), a little past statement_timeout.
DATABASE_QUERY_TIMEOUT = env.float("DATABASE_QUERY_TIMEOUT", default=DATABASE_STATEMENT_TIMEOUT_MS / 1000 + 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "critvue.postgresql"
    DATABASES["default"]["QUERY_TIMEOUT"] = DATABASE_QUERY_TIMEOUT
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DATABASE_CONNECT_TIMEOUT, options=f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    )

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": CACHE_TIMEOUT_SECONDS, "socket_timeout": CACHE_TIMEOUT_SECONDS},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
] + [{"NAME": "accounts.validators.MaximumLengthValidator"}]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Optional: collectstatic copies assets here for a web server to serve; WhiteNoise does without it.
STATIC_ROOT = env.str("STATIC_ROOT", default=None)
# Serve admin and API-docs assets straight from the installed apps: no collectstatic step needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: one file per request; small ones stay in memory, larger ones spool to a temp file.
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
# Folders keep the setgid bit their parent gives them (deploy/README.md: the storage folders are setgid
# www-data, so that nginx reads what the app writes): Django chmods every folder it makes to exactly this
# mode, and 0o750 alone would drop the bit, leaving a persona's folder unreadable to nginx.
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o2750

# Cookies: SameSite=Lax everywhere, Secure whenever DEBUG is off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto, redirect to HTTPS, send HSTS.
if env.bool("SECURE_PROXY_SSL", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Monitors and scrapers ask app servers directly over plain HTTP (deploy/README.md): never redirected.
SECURE_REDIRECT_EXEMPT = [r"^health/?$", r"^health/avatar/?$", r"^metrics/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
X_FRAME_OPTIONS = "DENY"

# --- Storage -------------------------------------------------------------------------------
AVATAR_STORAGE_TYPE = env.str("AVATAR_STORAGE_TYPE", default="local")
AVATAR_STORAGE_PATH = env.str("AVATAR_STORAGE_PATH", default=str(VAR_DIR / "avatars"))
AVATAR_BASE_URL = env.str("AVATAR_BASE_URL", default="/files/avatars").rstrip("/")
MEDIA_STORAGE_TYPE = env.str("MEDIA_STORAGE_TYPE", default="local")
PERSONA_MEDIA_STORAGE_PATH = env.str("PERSONA_MEDIA_STORAGE_PATH", default=str(VAR_DIR / "persona_media"))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default=None)
AWS_S3_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default=None)
AWS_S3_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default=None)
AVATAR_S3_LOCATION = env.str("AVATAR_S3_LOCATION", default="avatars")
AVATAR_S3_ACL = env.str("AVATAR_S3_ACL", default="public-read") or None
PERSONA_MEDIA_S3_LOCATION = env.str("PERSONA_MEDIA_S3_LOCATION", default="persona-media")
# Presigned download links live just long enough for a client to follow the redirect.
PERSONA_MEDIA_PRESIGNED_SECONDS = env.int("PERSONA_MEDIA_PRESIGNED_SECONDS", default=300)


def s3_storage(location: str, *, public: bool) -> dict:
    """A django-storages S3 entry of STORAGES: public avatars, or private presigned media."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "location": location,
            "default_acl": AVATAR_S3_ACL if public else "private",
            # Avatar names change with every upload, so their objects can be cached forever.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"} if public else {},
            "querystring_auth": not public,
            "querystring_expire": PERSONA_MEDIA_PRESIGNED_SECONDS,
            "file_overwrite": False,
            "client_config": s3_client_config(),
        },
    }


def s3_client_config():
    """botocore's Config: the bounded timeouts and retries above."""
    from botocore.config import Config

    return Config(
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS},
    )


STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "avatars": s3_storage(AVATAR_S3_LOCATION, public=True)
    if AVATAR_STORAGE_TYPE == "cloud"
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": AVATAR_STORAGE_PATH, "base_url": AVATAR_BASE_URL + "/"},
    },
    "persona_media": s3_storage(PERSONA_MEDIA_S3_LOCATION, public=False)
    if MEDIA_STORAGE_TYPE == "cloud"
    else {
        "BACKEND": "mediakit.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PERSONA_MEDIA_STORAGE_PATH},
    },
}

# --- Limits and processing -------------------------------------------------------------------
ENABLE_RATE_LIMITING = env.bool("ENABLE_RATE_LIMITING", default=True)
RATELIMIT_ENABLE = ENABLE_RATE_LIMITING
# Limits count in their own alias of the same cache; with Redis, one that lets requests through
# (logged, counted in ratelimit_cache_errors_total) rather than failing them while Redis is down.
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True
# Every per-address limit ("ip" keys) counts the client behind trusted proxies, not the proxy.
RATELIMIT_IP_META_KEY = "critvue.clients.client_address"
CACHES[RATELIMIT_USE_CACHE] = {**CACHES["default"]}
if REDIS_URL:
    CACHES[RATELIMIT_USE_CACHE]["BACKEND"] = "critvue.cache.FailOpenRedisCache"
# --- The apps' settings (one dict each; their conf.py modules hold the defaults and document every key) --
# Critvue keeps each app's files in a storage of its own (the STORAGES entries above), at its root.
MEDIAKIT = {"RETRY_AFTER_SECONDS": SERVICE_UNAVAILABLE_RETRY_AFTER}
AVATARS = {"STORAGE": "avatars", "LOCATION": "", "BASE_URL": AVATAR_BASE_URL}
PERSONA_MEDIA = {"STORAGE": "persona_media", "LOCATION": "", "PRESIGNED_SECONDS": PERSONA_MEDIA_PRESIGNED_SECONDS}
MODERATION: dict = {}
# Each variable the README documents, when set in the environment, fills one key; the others keep the
# apps' defaults.
APP_SETTINGS = {
    "MAX_AVATAR_SIZE": (AVATARS, "MAX_UPLOAD_BYTES", int),
    "AVATAR_STRIP_METADATA": (AVATARS, "STRIP_METADATA", bool),
    "JPEG_QUALITY": (MEDIAKIT, "JPEG_QUALITY", int),
    "WEBP_QUALITY": (MEDIAKIT, "WEBP_QUALITY", int),
    "PNG_COMPRESSION": (MEDIAKIT, "PNG_COMPRESSION", int),
    "PERSONA_MEDIA_MAX_SIZE": (PERSONA_MEDIA, "MAX_UPLOAD_BYTES", int),
    "PERSONA_MEDIA_MAX_VIDEO_SECONDS": (PERSONA_MEDIA, "MAX_VIDEO_SECONDS", float),
    "PERSONA_MEDIA_QUOTA_BYTES": (PERSONA_MEDIA, "QUOTA_BYTES", int),
    "MEDIA_URL_TTL": (PERSONA_MEDIA, "URL_TTL", int),
    # Production hand-off of downloads: an nginx internal location such as "/protected-media/" for
    # X-Accel-Redirect with local storage, or redirects to presigned URLs with S3.
    "PERSONA_MEDIA_ACCEL_REDIRECT": (PERSONA_MEDIA, "ACCEL_REDIRECT", str),
    "PERSONA_MEDIA_PRESIGNED_REDIRECT": (PERSONA_MEDIA, "PRESIGNED_REDIRECT", bool),
    "MODERATION_MODE": (MODERATION, "MODE", str),  # post (default) or pre
    # Background conversion of videos (persona_media.jobs).
    "PERSONA_MEDIA_JOB_TIME_LIMIT": (PERSONA_MEDIA, "JOB_TIME_LIMIT", float),
    "PERSONA_MEDIA_JOB_LEASE_SECONDS": (PERSONA_MEDIA, "JOB_LEASE_SECONDS", float),
    "PERSONA_MEDIA_JOB_REQUEUE_SECONDS": (PERSONA_MEDIA, "JOB_REQUEUE_SECONDS", float),
    "PERSONA_MEDIA_SWEEP_SECONDS": (PERSONA_MEDIA, "SWEEP_SECONDS", float),
}
for _variable, (_app, _key, _cast) in APP_SETTINGS.items():
    if _variable in os.environ:
        _app[_key] = env.get_value(_variable, cast=_cast)

# --- Background jobs: django-tasks' database backend, on the one database (PostgreSQL in production, the
# SQLite file under `make run`); workers are `manage.py worker` (Procfile), as many as you like, anywhere
# that reaches the database and the storage. Why this backend rather than RQ or Celery: README, "Background jobs".
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTCookieAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "mediakit.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "mediakit.api.PageNumberPagination",
    "EXCEPTION_HANDLER": "mediakit.api.exception_handler",
    # drf-spectacular's, documenting every error status an operation can answer (critvue.schema).
    "DEFAULT_SCHEMA_CLASS": "critvue.schema.AutoSchema",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_LIFETIME_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("REFRESH_TOKEN_LIFETIME_DAYS", default=7)),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}
JWT_ACCESS_COOKIE = "access_token"
JWT_REFRESH_COOKIE = "refresh_token"
SPECTACULAR_SETTINGS = {
    "TITLE": "Critvue media backend",
    "DESCRIPTION": "Avatars, personas and persona media.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page must not call swagger.io's validator: it works offline, on any host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "PREPROCESSING_HOOKS": ["critvue.schema.strip_trailing_slash"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "critvue.schema.document_errors"],
}

# --- Logging: one JSON object per line on stdout ----------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # Not printed: runserver's `request` (the raw socket) and `server_time` (a second timestamp);
            # django.request's `request` object (its message already names the path).
            "reserved_attrs": [*RESERVED_ATTRS, "request", "server_time"],
        },
    },
    # Every line written for a request names its client (critvue.logs).
    "filters": {"client": {"()": "critvue.logs.RequestClient"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["client"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {"django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False}},
}

# --- Error tracking (optional): sentry-sdk's Django integration, sending no personal data -------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from critvue.errortracking import start as start_error_tracking

    start_error_tracking(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
    )
