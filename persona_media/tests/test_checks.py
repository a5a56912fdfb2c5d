"""System checks of persona_media's settings and download hand-off."""

import pytest

from persona_media.checks import check_settings
from testkit.appsettings import app_settings


@pytest.mark.parametrize(
    ("overrides", "ids"),
    [
        ({}, []),
        ({"ACCEL_REDIRECT": "/protected-media/"}, []),
        ({"ACCEL_REDIRECT": "protected-media"}, ["persona_media.E001"]),
        ({"ACCEL_REDIRECT": "/protected-media"}, ["persona_media.E001"]),
        ({"PRESIGNED_SECONDS": 0}, ["persona_media.E002"]),
        ({"PRESIGNED_SECONDS": 8 * 24 * 3600}, ["persona_media.E002"]),
        ({"PRESIGNED_REDIRECT": True}, ["persona_media.W002"]),
        ({"MAX_UPLOAD_BYTES": -1}, ["persona_media.E003"]),
        ({"QUOTA_BYTES": 0}, ["persona_media.E003"]),
        ({"STORAGE": "nowhere"}, ["persona_media.E005"]),
        ({"MAX_SIZE": 5}, ["persona_media.E004"]),
    ],
)
def test_settings(settings, overrides, ids):
    app_settings(settings, "PERSONA_MEDIA", **overrides)
    messages = check_settings()
    assert [m.id for m in messages] == ids
    assert all(m.msg for m in messages)


def test_unknown_key_names_the_known_ones(settings):
    app_settings(settings, "PERSONA_MEDIA", QUOTA=1)
    [message] = check_settings()
    assert "QUOTA" in message.msg and "QUOTA_BYTES" in message.hint


def test_settings_must_be_a_dict(settings):
    settings.PERSONA_MEDIA = ["QUOTA_BYTES"]
    [message] = check_settings()
    assert message.id == "persona_media.E004" and "must be a dict" in message.msg


@pytest.mark.s3
def test_handoffs_that_do_not_fit_the_storage_are_warnings(settings, s3_storages):
    app_settings(settings, "PERSONA_MEDIA", ACCEL_REDIRECT="/p/")
    assert [m.id for m in check_settings()] == ["persona_media.W001"]
    app_settings(settings, "PERSONA_MEDIA", ACCEL_REDIRECT="", PRESIGNED_REDIRECT=True)
    assert check_settings() == []
