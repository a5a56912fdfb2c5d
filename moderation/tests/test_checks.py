"""MODERATION['MODE'] is checked at start-up."""
from moderation.checks import check_settings
from testkit.appsettings import app_settings


def test_post_and_pre_are_accepted(settings):
    for mode in ("post", "pre"):
        app_settings(settings, "MODERATION", MODE=mode)
        assert check_settings() == []


def test_anything_else_is_an_error(settings):
    app_settings(settings, "MODERATION", MODE="later")
    [error] = check_settings()
    assert error.id == "moderation.E001" and "'later'" in error.msg
