"""System checks of the download hand-off settings."""
import pytest

from persona_media.checks import check_download_handoff


@pytest.mark.parametrize(
    ("overrides", "ids"),
    [
        ({}, []),
        ({"PERSONA_MEDIA_ACCEL_REDIRECT": "/protected-media/"}, []),
        ({"PERSONA_MEDIA_ACCEL_REDIRECT": "protected-media"}, ["persona_media.E001"]),
        ({"PERSONA_MEDIA_ACCEL_REDIRECT": "/protected-media"}, ["persona_media.E001"]),
        ({"PERSONA_MEDIA_PRESIGNED_SECONDS": 0}, ["persona_media.E002"]),
        ({"PERSONA_MEDIA_PRESIGNED_SECONDS": 8 * 24 * 3600}, ["persona_media.E002"]),
        ({"PERSONA_MEDIA_ACCEL_REDIRECT": "/p/", "MEDIA_STORAGE_TYPE": "cloud"}, ["persona_media.W001"]),
        ({"PERSONA_MEDIA_PRESIGNED_REDIRECT": True}, ["persona_media.W002"]),
        ({"PERSONA_MEDIA_PRESIGNED_REDIRECT": True, "MEDIA_STORAGE_TYPE": "cloud"}, []),
    ],
)
def test_download_handoff_settings(settings, overrides, ids):
    for name, value in overrides.items():
        setattr(settings, name, value)
    messages = check_download_handoff()
    assert [m.id for m in messages] == ids
    assert all(m.msg for m in messages)
