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


def test_the_report_rate_is_a_rate_or_none(settings):
    for rate in ("10/m", "50/15m", None):
        app_settings(settings, "MODERATION", REPORT_RATE=rate)
        assert check_settings() == []
    app_settings(settings, "MODERATION", REPORT_RATE="ten a minute")
    [error] = check_settings()
    assert error.id == "moderation.E004" and "'ten a minute'" in error.msg


def test_without_pdqhash_a_warning_says_pictures_are_blocked_by_bytes_only(settings, monkeypatch):
    from mediakit import fingerprint

    monkeypatch.setattr(fingerprint, "available", lambda: False)
    [warning] = check_settings()
    assert warning.id == "moderation.W002" and "exact bytes" in warning.msg
