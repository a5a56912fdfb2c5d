"""/metrics counts persona media uploads by type and outcome, and times them."""

import pytest
from django.db import DatabaseError, connection

from persona_media.tests.helpers import post_file
from testkit import media as files
from testkit import metrics

sample = metrics.value


def uploads(media_type: str, status: str) -> float:
    return sample("persona_media_uploads_total", media_type=media_type, status=status)


def test_uploads_are_counted_by_outcome_and_timed(api, persona):
    before = {status: uploads("image", status) for status in ("success", "rejected", "error")}
    timed = sample("persona_media_upload_duration_seconds_count", media_type="image")
    assert post_file(api, persona.pk, "image", files.png(), "a.png").status_code == 201
    assert post_file(api, persona.pk, "image", files.png(65), "b.png").status_code == 201
    assert post_file(api, persona.pk, "image", files.gif(), "c.png").status_code == 400
    assert uploads("image", "success") == before["success"] + 2
    assert uploads("image", "rejected") == before["rejected"] + 1
    assert uploads("image", "error") == before["error"]
    assert sample("persona_media_upload_duration_seconds_count", media_type="image") == timed + 3


def test_video_and_oversized_uploads(api, persona):
    success, rejected = uploads("video", "success"), uploads("video", "rejected")
    assert post_file(api, persona.pk, "video", files.real_mp4(), "a.mp4").status_code == 201
    assert post_file(api, persona.pk, "video", bytes(10 * 1024 * 1024 + 1), "big.mp4").status_code == 413
    assert (uploads("video", "success"), uploads("video", "rejected")) == (success + 1, rejected + 1)


@pytest.mark.django_db(transaction=True)
def test_server_failures_count_as_errors(api, persona):
    def refuse(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "persona_media_mediafile"'):
            raise DatabaseError("injected")
        return execute(sql, params, many, context)

    errors = uploads("image", "error")
    api.raise_request_exception = False
    with connection.execute_wrapper(refuse):
        assert post_file(api, persona.pk, "image", files.png(), "a.png").status_code == 500
    assert uploads("image", "error") == errors + 1
