"""What a named storage holds, and real storages that fail (or count) the way a full disk would."""

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from storages.backends.s3 import S3Storage

from mediakit.orphans import IGNORED_PREFIXES, walk
from mediakit.storage import PrivateFileSystemStorage


def stored_names(alias: str) -> set[str]:
    """Every file name in the named storage (local folder or S3 bucket prefix), probes left out."""
    return {n for n in walk(storages[alias]) if not n.startswith(IGNORED_PREFIXES)}


def stored_bytes(alias: str, name: str) -> bytes:
    with storages[alias].open(name, "rb") as fh:
        return fh.read()


class FailingSaves:
    """A storage whose `fail_on`-th save raises, as a full disk or a lost bucket would."""

    def __init__(self, *, fail_on: int, **kwargs):
        super().__init__(**kwargs)
        self.fail_on = fail_on
        self.saves = 0

    def _save(self, name, content):
        self.saves += 1
        if self.saves == self.fail_on:
            raise OSError(28, "No space left on device")
        return super()._save(name, content)


class FailOnNthSave(FailingSaves, FileSystemStorage):
    pass


class S3FailOnNthSave(FailingSaves, S3Storage):
    pass


class HalfWriteStorage(PrivateFileSystemStorage):
    """Writes the first half of the file to disk, then fails like a full disk would."""

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        super()._save(name, ContentFile(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")


class StoreThenFailS3Storage(S3Storage):
    """Stores the object in the bucket, then fails before reporting success."""

    def _save(self, name, content):
        super()._save(name, content)
        raise ConnectionError("the connection dropped after the upload")


class CountingDeletes(FileSystemStorage):
    """A real local storage that also records every name it was asked to delete (in `deleted`)."""

    deleted: list[str] = []

    def delete(self, name):
        type(self).deleted.append(name)
        super().delete(name)


def swap_storage(settings, alias: str, backend: type, **options) -> None:
    """Replace the named storage by `backend` over the same folder or bucket."""
    current = settings.STORAGES[alias]
    settings.STORAGES = {
        **settings.STORAGES,
        alias: {
            "BACKEND": f"{backend.__module__}.{backend.__qualname__}",
            "OPTIONS": {**current["OPTIONS"], **options},
        },
    }


def failing_storage(settings, alias: str, fail_on: int) -> None:
    """Swap the named storage for its failing twin (same folder or bucket)."""
    s3 = settings.STORAGES[alias]["BACKEND"].endswith("S3Storage")
    swap_storage(settings, alias, S3FailOnNthSave if s3 else FailOnNthSave, fail_on=fail_on)
