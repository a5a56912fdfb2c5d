"""The avatar system checks that critvue.checks does not already make."""
import pytest
from django.core import checks

from avatars import checks as avatar_checks


def ids() -> set[str]:
    return {m.id for m in checks.run_checks() if m.id.startswith("avatars.")}


@pytest.fixture(autouse=True)
def valid(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/0"}}


def test_valid_configuration_has_no_avatar_messages():
    assert ids() == set()


@pytest.mark.parametrize("base_url", ["", "files/avatars", "ftp://cdn.example.com/avatars", "/"])
def test_base_url_must_be_a_path_or_http_url(settings, base_url):
    settings.AVATAR_BASE_URL = base_url
    assert ids() == {"avatars.E001"}


@pytest.mark.parametrize("base_url", ["/files/avatars", "/media/a", "https://cdn.example.com/avatars"])
def test_accepted_base_urls(settings, base_url):
    settings.AVATAR_BASE_URL = base_url
    assert ids() == set()


def test_pillow_without_webp_is_an_error(monkeypatch):
    monkeypatch.setattr(avatar_checks.features, "check_module", lambda name: name != "webp")
    [message] = avatar_checks.check_pillow()
    assert message.id == "avatars.E002" and "WebP" in message.msg and message.hint


def test_per_process_rate_limits_are_a_warning(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    [message] = [m for m in checks.run_checks() if m.id.startswith("avatars.")]
    assert (message.id, message.level) == ("avatars.W001", checks.WARNING)
    assert not message.is_serious()
    settings.ENABLE_RATE_LIMITING = False
    assert ids() == set()
