"""A Redis that stops or hangs (a real redis-server, stopped or frozen by its PID): /health names the
cache within its deadline, and requests that only count rate limits in it still go through."""

import pytest
from rest_framework.test import APIClient

from avatars.tests.support import post_avatar
from testkit import faults
from testkit import images as I

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis(settings):
    """A redis-server of this test's own, as the shared cache and the rate-limit cache."""
    server = faults.redis_server()
    location = f"redis://127.0.0.1:{server.port}/0"
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    saved = settings.CACHES
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location, "OPTIONS": options},
        "ratelimit": {"BACKEND": "critvue.cache.FailOpenRedisCache", "LOCATION": location, "OPTIONS": options},
    }
    yield server
    settings.CACHES = saved  # the suite's own cache is cleared after each test: not this stopped one
    server.stop()


def test_health_is_ok_with_redis_running(redis):
    response = APIClient().get("/health")
    assert response.status_code == 200 and response.json()["cache"] == "ok"


def test_health_names_a_stopped_redis(redis):
    redis.stop()
    response = faults.completes(lambda: APIClient().get("/health"))
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["cache"], body["database"]) == ("error", "error", "ok")
    avatar = faults.completes(lambda: APIClient().get("/health/avatar"))
    assert avatar.status_code == 503 and "The cache is unavailable (error)." in avatar.json()["errors"]


def test_health_names_a_hung_redis(redis):
    with redis.frozen():
        response = faults.completes(lambda: APIClient().get("/health"))
    assert response.status_code == 503
    assert response.json()["cache"] == "timeout"
    assert response.json()["storage"] == {"avatars": "ok", "persona_media": "ok"}


@pytest.mark.django_db(transaction=True)  # the request runs in another thread: it must see the user
def test_avatar_upload_goes_through_while_redis_hangs(redis, settings, api):
    settings.RATELIMIT_ENABLE = True
    with redis.frozen():
        response = faults.completes(lambda: post_avatar(api, I.photo_jpeg(300, 300)))
    assert response.status_code == 200, response.content
