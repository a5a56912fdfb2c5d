"""Stored files are removed after commit, never on rollback; failed operations leave nothing."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import transaction

from mediakit.files import WrittenFiles, delete_on_commit, delete_stored


@pytest.mark.django_db(transaction=True)
def test_delete_on_commit_waits_for_commit():
    storage = storages["avatars"]
    name = storage.save("x/a.jpg", ContentFile(b"a"))
    with transaction.atomic():
        delete_on_commit(storage, [name])
        assert storage.exists(name)
    assert not storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_rolled_back_delete_keeps_the_file():
    storage = storages["avatars"]
    name = storage.save("x/a.jpg", ContentFile(b"a"))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            delete_on_commit(storage, [name])
            raise RuntimeError("rollback")
    assert storage.exists(name)


class BrokenDeleteStorage(FileSystemStorage):
    def delete(self, name):
        raise OSError("disk on fire")


def test_delete_stored_logs_instead_of_raising(tmp_path, caplog):
    storage = BrokenDeleteStorage(location=str(tmp_path))
    name = storage.save("a.jpg", ContentFile(b"a"))
    assert delete_stored(storage, [name]) == 0
    assert (tmp_path / name).exists()
    assert "could not delete a stored file" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_written_files_are_removed_when_the_block_fails(storage_backend):
    storage = storages["persona_media"]
    with pytest.raises(RuntimeError):
        with WrittenFiles(storage) as written:
            first = written.save("1/1/a.jpg", ContentFile(b"a"))
            second = written.save("1/1/b.jpg", ContentFile(b"b"))
            with transaction.atomic():
                raise RuntimeError("database write failed")
    assert not storage.exists(first) and not storage.exists(second)


def test_written_files_stay_when_the_block_succeeds(storage_backend):
    storage = storages["persona_media"]
    with WrittenFiles(storage) as written:
        name = written.save("1/1/a.jpg", ContentFile(b"a"))
    assert storage.exists(name)
