"""Storages that fail on purpose, named in settings.STORAGES by the failure tests."""
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage

from mediakit.storage import PrivateFileSystemStorage


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
