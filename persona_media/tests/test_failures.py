"""A storage or database failure during an upload: a JSON error, and no row and no file left behind.

A full disk is a 507 and a dropped S3 connection a 503 (API.md, "Failure and abuse behaviour"); a
database error that is not the database being unreachable stays a 500.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection

from persona_media import services
from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_files
from testkit import media as files
from testkit.storage import HalfWriteStorage, StoreThenFailS3Storage, swap_storage

MEDIA_INSERT = 'INSERT INTO "persona_media_mediafile"'


# What each failing storage answers: (status, code).
FAILED_SAVE = {"local": (507, "insufficient_storage"), "s3": (503, "service_unavailable")}


@pytest.fixture
def failing_storage(settings, storage_backend):
    """The media storage, swapped for one that fails in the middle of saving."""
    backend = {"local": HalfWriteStorage, "s3": StoreThenFailS3Storage}[storage_backend]
    swap_storage(settings, "persona_media", backend)
    return storage_backend


def fail_media_insert(execute, sql, params, many, context):
    """A database that refuses the media row (connection.execute_wrapper hook)."""
    if sql.startswith(MEDIA_INSERT):
        raise DatabaseError("could not extend file: No space left on device")
    return execute(sql, params, many, context)


def assert_server_error(response) -> None:
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "make", "name"), [("image", files.png, "a.png"), ("video", files.real_mp4, "a.mp4")])
def test_storage_failure_leaves_no_file_and_no_row(failing_storage, api, persona, kind, make, name):
    api.raise_request_exception = False
    response = post_file(api, persona.pk, kind, make(), name)
    assert response["Content-Type"] == "application/json"
    assert (response.status_code, response.json()["code"]) == FAILED_SAVE[failing_storage]
    assert MediaFile.objects.count() == 0
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "make", "name"), [("image", files.png, "a.png"), ("video", files.real_mp4, "a.mp4")])
def test_database_failure_after_storing_removes_the_file(storage_backend, api, persona, kind, make, name):
    api.raise_request_exception = False
    with connection.execute_wrapper(fail_media_insert):
        response = post_file(api, persona.pk, kind, make(), name)
    assert_server_error(response)
    assert MediaFile.objects.count() == 0
    assert stored_files() == []
    # The same upload goes through once the database is well again.
    assert post_file(api, persona.pk, kind, make(), name).status_code == 201
    assert stored_files() == sorted(MediaFile.objects.get().stored_names)


@pytest.mark.django_db(transaction=True)
def test_a_persona_deleted_during_the_upload_takes_nothing(storage_backend, user, persona):
    gone = Persona.objects.get(pk=persona.pk)
    Persona.objects.filter(pk=persona.pk).delete()  # as a concurrent request would, after the view's check
    upload = SimpleUploadedFile("a.png", files.png())
    with pytest.raises(Persona.DoesNotExist):
        services.media_create(user=user, persona=gone, upload=upload, media_type="image")
    assert MediaFile.objects.count() == 0
    assert stored_files() == []
