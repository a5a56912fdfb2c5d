"""The avatars app's system checks."""

import pytest
from django.core import checks

from avatars import checks as avatar_checks
from testkit.appsettings import app_settings


def ids() -> set[str]:
    return {m.id for m in checks.run_checks() if m.id.startswith("avatars.")}


@pytest.fixture(autouse=True)
def valid(settings):
    settings.DEBUG = False
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/0"}
    settings.CACHES = {"default": redis, "ratelimit": redis}


def test_valid_configuration_has_no_avatar_messages():
    assert ids() == set()


@pytest.mark.parametrize("base_url", ["", "files/avatars", "ftp://cdn.example.com/avatars", "/"])
def test_base_url_must_be_a_path_or_http_url(settings, base_url):
    app_settings(settings, "AVATARS", BASE_URL=base_url)
    assert ids() == {"avatars.E001"}


@pytest.mark.parametrize("base_url", ["/files/avatars", "/media/a", "https://cdn.example.com/avatars"])
def test_accepted_base_urls(settings, base_url):
    app_settings(settings, "AVATARS", BASE_URL=base_url)
    assert ids() == set()


def test_pillow_without_webp_is_an_error(monkeypatch):
    monkeypatch.setattr(avatar_checks.features, "check_module", lambda name: name != "webp")
    [message] = avatar_checks.check_pillow()
    assert message.id == "avatars.E002" and "WebP" in message.msg and message.hint


def test_per_process_rate_limits_are_a_warning(settings):
    settings.CACHES = {**settings.CACHES, "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    [message] = [m for m in checks.run_checks() if m.id.startswith("avatars.")]
    assert (message.id, message.level) == ("avatars.W001", checks.WARNING)
    assert not message.is_serious()
    settings.RATELIMIT_ENABLE = False
    assert ids() == set()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"MAX_UPLOAD_BYTES": 0}, "avatars.E003"),
        ({"STORAGE": "nowhere"}, "avatars.E006"),
        ({"MAX_SIZE": 1}, "avatars.E005"),
    ],
)
def test_settings_errors(settings, overrides, expected):
    app_settings(settings, "AVATARS", **overrides)
    assert ids() == {expected}


def test_a_default_storage_without_a_folder_is_a_warning(settings):
    """A stock project leaves MEDIA_ROOT empty: files would land wherever the server starts."""
    settings.STORAGES = {
        **settings.STORAGES,
        "bare": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": ""}},
    }
    app_settings(settings, "AVATARS", STORAGE="bare")
    [message] = [m for m in checks.run_checks() if m.id.startswith("avatars.")]
    assert (message.id, message.level) == ("avatars.W002", checks.WARNING) and "MEDIA_ROOT" in message.hint
