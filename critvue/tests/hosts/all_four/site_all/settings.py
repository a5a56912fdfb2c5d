"""A project with its own user model (no email at all) and all four apps, pre-moderated, on the database
the environment names (PostgreSQL in the test run, SQLite otherwise)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "host-test-only-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "people",
    "mediakit",
    "avatars",
    "persona_media",
    "moderation",
    "django_tasks_db",
]
AUTH_USER_MODEL = "people.Member"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "site_all.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

if os.environ.get("HOST_DB_NAME"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["HOST_DB_NAME"],
            "HOST": os.environ["HOST_DB_HOST"],
            "PORT": os.environ["HOST_DB_PORT"],
            "USER": os.environ["HOST_DB_USER"],
            "PASSWORD": os.environ.get("HOST_DB_PASSWORD", ""),
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
MEDIA_ROOT = BASE_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The apps' own settings: only what this site wants different.
AVATARS = {"BASE_URL": "/avatar-files"}
PERSONA_MEDIA = {"QUOTA_BYTES": 50 * 1024 * 1024}
MODERATION = {"MODE": "pre"}

# Videos to convert wait for a worker (`manage.py db_worker`) in the database, as README.md shows.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
