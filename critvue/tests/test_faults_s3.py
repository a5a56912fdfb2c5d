"""An S3 that hangs (a moto server frozen with SIGSTOP) or refuses connections: 503, never a hang or a 500.

The storage's timeouts are shortened here (1 s reads, 2 attempts) so the run stays quick; the
production values are in settings (S3_CONNECT_TIMEOUT, S3_READ_TIMEOUT, S3_MAX_ATTEMPTS).
"""

import os
import signal

import pytest
from botocore.config import Config
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient
from storages.backends.s3 import S3Storage

from avatars import services as avatar_services
from avatars.models import AvatarVariant
from avatars.tests.support import post_avatar
from avatars.tests.support import stored_names as avatar_files
from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_files
from testkit import faults, media
from testkit import images as I
from testkit.net import free_port
from testkit.storage import swap_storage

pytestmark = [pytest.mark.s3, pytest.mark.django_db(transaction=True)]
SHORT = Config(connect_timeout=1, read_timeout=1, retries={"mode": "standard", "total_max_attempts": 2})


@pytest.fixture(scope="module")
def moto():
    """moto's S3 server in its own process, so that it can be frozen."""
    server = faults.moto_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def s3_endpoint(moto):
    """Overrides the suite's in-process server: these tests need one they can freeze."""
    return f"http://127.0.0.1:{moto.port}"


def with_client_config(settings, config: Config, **options) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        **{
            alias: {
                **settings.STORAGES[alias],
                "OPTIONS": {**settings.STORAGES[alias]["OPTIONS"], "client_config": config, **options},
            }
            for alias in ("avatars", "persona_media")
        },
    }


@pytest.fixture
def s3(settings, s3_storages):
    with_client_config(settings, SHORT)
    settings.HEALTH_TIMEOUT_SECONDS = 1  # shorter than one hung S3 call (2 attempts of 1 s)
    return s3_storages


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "service_unavailable"
    assert "storage" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_upload_while_s3_hangs_is_503_and_stores_nothing(s3, moto, user, api):
    persona = Persona.objects.create(user=user, name="Ada")
    with moto.frozen():
        response = faults.completes(lambda: post_file(api, persona.pk, "image", media.png(), "a.png"))
    assert_unavailable(response)
    assert MediaFile.objects.count() == 0
    assert stored_files() == []
    # Once S3 answers again, so does the upload.
    assert post_file(api, persona.pk, "image", media.png(), "a.png").status_code == 201
    assert stored_files() == sorted(MediaFile.objects.get().stored_names)


def test_avatar_upload_while_s3_hangs_keeps_the_old_avatar(s3, moto, user, api):
    old = avatar_services.avatar_replace(user=user, upload=SimpleUploadedFile("a.jpg", I.photo_jpeg(300, 300)))
    before = avatar_files()
    with moto.frozen():
        response = faults.completes(lambda: post_avatar(api, I.photo_jpeg(400, 400)))
    assert_unavailable(response)
    user.refresh_from_db()
    assert user.avatar_url == old.urls["medium"]
    assert set(AvatarVariant.objects.values_list("stored_name", flat=True)) == before
    assert avatar_files() == before


class FreezesS3AfterOneSave(S3Storage):
    """The real S3 storage, whose server (process `pid`) is frozen right after its first save completes."""

    pid = 0

    def _save(self, name, content):
        saved = super()._save(name, content)
        os.kill(self.pid, signal.SIGSTOP)
        return saved


def test_avatar_upload_when_s3_hangs_midway_answers_in_time_and_keeps_the_old_avatar(s3, moto, settings, user, api):
    old = avatar_services.avatar_replace(user=user, upload=SimpleUploadedFile("a.jpg", I.photo_jpeg(300, 300)))
    before = avatar_files()
    FreezesS3AfterOneSave.pid = moto.proc.pid
    swap_storage(settings, "avatars", FreezesS3AfterOneSave)
    try:
        # One variant is stored, then S3 hangs: the next save times out and removing the stored one
        # hangs too, but the answer does not wait for that (mediakit.files.CLEANUP_WAIT_SECONDS).
        response = faults.completes(lambda: post_avatar(api, I.photo_jpeg(400, 400)))
    finally:
        os.kill(moto.proc.pid, signal.SIGCONT)
    assert_unavailable(response)
    user.refresh_from_db()
    assert user.avatar_url == old.urls["medium"]
    assert set(AvatarVariant.objects.values_list("stored_name", flat=True)) == before
    # A variant that could not be removed while S3 hung has no row: the orphan sweep takes it.
    call_command("cleanup_orphaned_avatars", days=0, verbosity=0)
    assert avatar_files() == before


def test_download_while_s3_hangs_is_503(s3, moto, user, api):
    persona = Persona.objects.create(user=user, name="Ada")
    file_id = post_file(api, persona.pk, "image", media.png(), "a.png").json()["id"]
    with moto.frozen():
        response = faults.completes(lambda: api.get(f"/upload/files/{file_id}/download"))
    assert_unavailable(response)
    assert api.get(f"/upload/files/{file_id}/download").status_code == 200


def test_health_names_a_hung_s3(s3, moto):
    with moto.frozen():
        response = faults.completes(lambda: APIClient().get("/health"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "cache": "ok",
        "storage": {"avatars": "timeout", "persona_media": "timeout"},
    }


def test_avatar_health_names_a_hung_s3(s3, moto):
    with moto.frozen():
        response = faults.completes(lambda: APIClient().get("/health/avatar"))
    assert response.status_code == 503
    assert "The avatars storage is unavailable (timeout)." in response.json()["errors"]


def test_s3_refusing_connections_is_503(s3, settings, user, api):
    persona = Persona.objects.create(user=user, name="Ada")
    with_client_config(settings, SHORT, endpoint_url=f"http://127.0.0.1:{free_port()}")
    assert_unavailable(post_file(api, persona.pk, "image", media.png(), "a.png"))
    assert_unavailable(post_avatar(api, I.photo_jpeg(300, 300)))
    assert MediaFile.objects.count() == 0
    # A refused connection is retried once after botocore's random back-off of up to 1 s: the
    # probes get time for both attempts, so that what they report is the refusal, not the deadline.
    settings.HEALTH_TIMEOUT_SECONDS = 5
    health = APIClient().get("/health")
    assert health.status_code == 503
    assert health.json()["storage"] == {"avatars": "error", "persona_media": "error"}
