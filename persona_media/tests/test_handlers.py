"""Stored files follow their rows: removed after the deleting transaction commits, whoever deletes."""

import pytest
from django.db import transaction

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_files
from testkit import media as files
from testkit.storage import CountingDeletes, swap_storage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_files(upload, persona) -> list[MediaFile]:
    assert upload(persona, "image").status_code == 201
    assert upload(persona, "video").status_code == 201
    return list(MediaFile.objects.all())


def test_each_deleted_row_deletes_its_file_exactly_once(settings, upload, persona):
    """Seen from the storage: one delete per row, none for the persona itself (no double handler)."""
    swap_storage(settings, "persona_media", CountingDeletes)
    CountingDeletes.deleted = []
    assert upload(persona, "image").status_code == 201
    assert upload(persona, "video").status_code == 201
    names = sorted(name for media in MediaFile.objects.all() for name in media.stored_names)
    persona.delete()
    assert sorted(CountingDeletes.deleted) == names
    assert stored_files() == []


def test_deleting_a_row_removes_its_file(storage_backend, two_files):
    image, video = two_files
    image.delete()
    assert stored_files() == sorted(video.stored_names)


def test_deleting_a_queryset_removes_every_file(storage_backend, two_files):
    MediaFile.objects.all().delete()
    assert stored_files() == []


def test_a_rolled_back_delete_keeps_the_file(two_files):
    with pytest.raises(RuntimeError), transaction.atomic():
        MediaFile.objects.all().delete()
        raise RuntimeError("changed my mind")
    assert stored_files() == sorted(n for m in two_files for n in m.stored_names)


def test_the_file_stays_until_the_commit(two_files):
    with transaction.atomic():
        two_files[0].delete()
        assert len(stored_files()) == 4  # two files, each with its preview
    assert stored_files() == sorted(two_files[1].stored_names)


def test_deleting_a_persona_removes_its_files(storage_backend, two_files, persona):
    persona.delete()
    assert stored_files() == [] and not MediaFile.objects.exists()


def test_deleting_a_user_removes_all_their_files(storage_backend, two_files, user, upload, make_user, client_for):
    second = Persona.objects.create(user=user, name="Second")
    assert upload(second, "image").status_code == 201
    other_persona = Persona.objects.create(user=make_user(), name="Other")
    assert post_file(client_for(other_persona.user), other_persona.pk, "image", files.png(), "o.png").status_code == 201
    user.delete()
    remaining = MediaFile.objects.get()
    assert remaining.persona == other_persona
    assert stored_files() == sorted(remaining.stored_names)
