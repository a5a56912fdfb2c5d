"""Local storage on a real small filesystem (a tmpfs): full → 507, read-only → 503, and /health says so.

Mounting needs root (or CAP_SYS_ADMIN); where mount is refused these tests are skipped, saying why.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from avatars import services as avatar_services
from avatars.models import AvatarVariant
from avatars.tests.support import post_avatar
from avatars.tests.support import stored_names as avatar_files
from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_bytes, stored_files
from testkit import faults, media
from testkit import images as I

pytestmark = pytest.mark.django_db(transaction=True)


def local_storages_on(settings, root) -> None:
    """Both named storages in folders of `root` (as the suite's own per-test folders are)."""
    settings.AVATAR_STORAGE_PATH = str(root / "avatars")
    settings.PERSONA_MEDIA_STORAGE_PATH = str(root / "persona_media")
    settings.STORAGES = {
        **settings.STORAGES,
        **{
            alias: {
                **settings.STORAGES[alias],
                "OPTIONS": {**settings.STORAGES[alias]["OPTIONS"], "location": location},
            }
            for alias, location in (
                ("avatars", settings.AVATAR_STORAGE_PATH),
                ("persona_media", settings.PERSONA_MEDIA_STORAGE_PATH),
            )
        },
    }


@pytest.fixture
def small_disk(settings, tmp_path):
    """Both storages on a 256 KiB tmpfs."""
    try:
        with faults.tmpfs(tmp_path / "mnt", size="256k") as root:
            local_storages_on(settings, root)
            (root / "avatars").mkdir()
            (root / "persona_media").mkdir()
            yield root
    except faults.MountRefused as refused:
        pytest.skip(f"cannot mount a tmpfs here: {refused}")


def test_a_full_disk_is_507_and_keeps_nothing(small_disk, user, api):
    persona = Persona.objects.create(user=user, name="Ada")
    big = I.encode(I.photo(600, 600), "PNG")  # about 480 KiB: more than the disk holds
    response = post_file(api, persona.pk, "image", big, "big.png")
    assert response.status_code == 507
    assert response.json() == {"detail": "The storage is full; nothing was stored.", "code": "insufficient_storage"}
    assert MediaFile.objects.count() == 0
    assert stored_files() == []
    # What fits is still stored.
    assert post_file(api, persona.pk, "image", media.png(), "small.png").status_code == 201


def test_a_full_disk_keeps_the_old_avatar(small_disk, user, api):
    old = avatar_services.avatar_replace(user=user, upload=SimpleUploadedFile("a.jpg", I.photo_jpeg(100, 100)))
    before = avatar_files()
    response = post_avatar(api, I.photo_jpeg(1200, 1200))  # its five variants do not fit
    assert (response.status_code, response.json()["code"]) == (507, "insufficient_storage")
    user.refresh_from_db()
    assert user.avatar_url == old.urls["medium"]
    assert avatar_files() == before == set(AvatarVariant.objects.values_list("stored_name", flat=True))


def test_health_says_full_under_the_free_space_threshold(small_disk, settings):
    settings.STORAGE_MIN_FREE_BYTES = 1024 * 1024  # more than the whole 256 KiB disk
    response = APIClient().get("/health")
    assert response.status_code == 503
    assert response.json()["storage"] == {"avatars": "full", "persona_media": "full"}
    settings.STORAGE_MIN_FREE_BYTES = 16 * 1024
    assert APIClient().get("/health").status_code == 200


def test_read_only_storage_is_503_and_still_serves_what_it_holds(small_disk, settings, user, api):
    settings.SECRET_KEY = "a-long-random-test-secret-value-0123456789-abcdefghij"
    settings.STORAGE_MIN_FREE_BYTES = 0
    persona = Persona.objects.create(user=user, name="Ada")
    stored = post_file(api, persona.pk, "image", media.png(), "a.png").json()
    with faults.remounted_read_only(small_disk):
        response = post_file(api, persona.pk, "image", media.png(80, 60), "b.png")
        assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
        assert int(response["Retry-After"]) > 0
        assert (response := api.get(f"/upload/files/{stored['id']}/download")).status_code == 200
        assert b"".join(response.streaming_content) == stored_bytes(stored_files()[0])
        health = APIClient().get("/health")
        assert health.status_code == 503
        assert health.json()["storage"] == {"avatars": "read_only", "persona_media": "read_only"}
        avatar_health = APIClient().get("/health/avatar").json()
        assert "The avatars storage is unavailable (read_only)." in avatar_health["errors"]
    assert MediaFile.objects.count() == 1 and stored_files() == sorted(MediaFile.objects.get().stored_names)
    assert post_file(api, persona.pk, "image", media.png(80, 60), "b.png").status_code == 201
