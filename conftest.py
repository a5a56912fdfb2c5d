"""Fixtures every app's tests share: users and tokens, per-test storage folders, the S3 server."""

import os
import uuid
from urllib.parse import urlsplit

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from testkit.clock import freeze_ratelimit_clock
from testkit.net import free_port

S3_CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _one_redis_database_per_worker() -> None:
    """`make test` runs two pytest-xdist workers; each counts in a Redis database of its own (1, 2, …), in
    process and in every server its tests start (they inherit REDIS_URL), so one worker's cache.clear() or
    per-address rate-limit counts never reach the other's. (PostgreSQL: pytest-django gives each worker
    its own test database.) Runs before any cache connection is made."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("REDIS_URL", "")
    if not worker.startswith("gw") or not url:
        return
    url = urlsplit(url)._replace(path=f"/{int(worker[2:]) + 1}").geturl()
    os.environ["REDIS_URL"] = django_settings.REDIS_URL = url
    for entry in django_settings.CACHES.values():
        if str(entry.get("LOCATION", "")).startswith("redis"):
            entry["LOCATION"] = url


_one_redis_database_per_worker()


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test: its own storage folders, an empty cache, the local storage backends, a fast hasher."""
    # Password hashing is the slowest thing most tests do, and no test is about its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AVATAR_STORAGE_PATH = str(tmp_path / "avatars")
    settings.PERSONA_MEDIA_STORAGE_PATH = str(tmp_path / "persona_media")
    settings.STORAGES = {
        **settings.STORAGES,
        "avatars": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.AVATAR_STORAGE_PATH, "base_url": settings.AVATAR_BASE_URL + "/"},
        },
        "persona_media": {
            "BACKEND": "mediakit.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": settings.PERSONA_MEDIA_STORAGE_PATH},
        },
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible HTTP server (moto) on a free loopback port, for the whole session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A fresh bucket on the moto server."""
    name = f"critvue-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storages(settings, s3_endpoint, s3_bucket):
    """Point both named storages at the moto server, as AVATAR/MEDIA_STORAGE_TYPE=cloud would."""
    settings.AVATAR_STORAGE_TYPE = settings.MEDIA_STORAGE_TYPE = "cloud"
    settings.AWS_STORAGE_BUCKET_NAME = s3_bucket
    from critvue.settings import s3_storage

    def entry(location: str, public: bool) -> dict:
        config = s3_storage(location, public=public)
        config["OPTIONS"].update(bucket_name=s3_bucket, endpoint_url=s3_endpoint, **S3_CREDENTIALS)
        return config

    settings.STORAGES = {
        **settings.STORAGES,
        "avatars": entry("avatars", True),
        "persona_media": entry("persona-media", False),
    }
    return s3_bucket


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def storage_backend(request):
    """Run a test once on local folders and once on the S3 server."""
    if request.param == "s3":
        request.getfixturevalue("s3_storages")
    return request.param


@pytest.fixture
def make_user(db, django_user_model):
    def make(email: str | None = None, password: str = "Correct-Horse-42", **fields):
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        return django_user_model.objects.create_user(email=email, password=password, **fields)

    return make


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def moderator(make_user) -> Client:
    """A browser-like client logged in to the admin as a staff superuser."""
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def bearer_client(user) -> APIClient:
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def api(user) -> APIClient:
    """An API client authenticated as `user` with a Bearer token."""
    return bearer_client(user)


@pytest.fixture
def client_for():
    """Build a Bearer-authenticated API client for any user."""
    return bearer_client


@pytest.fixture
def clock(settings, monkeypatch):
    """Rate limiting on, and django-ratelimit's clock frozen (move it with `clock.value`)."""
    return freeze_ratelimit_clock(settings, monkeypatch)
