"""Helpers shared by the avatar tests: posting uploads and looking at what storage holds."""
import io

from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from storages.backends.s3 import S3Storage

from avatars.imaging import VARIANT_SIZES
from mediakit.orphans import IGNORED_PREFIXES, walk

URL = "/api/v1/profile/me/avatar"
SIZES = list(VARIANT_SIZES)


def post_avatar(client, data: bytes, name: str = "avatar.jpg", content_type: str = "image/jpeg",
                path: str = URL):
    """POST one file in the field `file`, as a browser form would."""
    return client.post(path, {"file": SimpleUploadedFile(name, data, content_type)}, format="multipart")


def stored_names() -> set[str]:
    """Every file name in the avatars storage (local folder or S3 bucket prefix)."""
    return {n for n in walk(storages["avatars"]) if not n.startswith(IGNORED_PREFIXES)}


def stored_bytes(name: str) -> bytes:
    with storages["avatars"].open(name, "rb") as fh:
        return fh.read()


def stored_image(name: str) -> Image.Image:
    """The stored file, decoded."""
    im = Image.open(io.BytesIO(stored_bytes(name)))
    im.load()
    return im


def name_from_url(url: str) -> str:
    """The storage name behind a variant URL (local base URL or S3 object URL)."""
    return url.split("/avatars/", 1)[1].split("?")[0]


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


def failing_storage(settings, fail_on: int) -> None:
    """Swap the avatars storage for its failing twin (same folder or bucket)."""
    current = settings.STORAGES["avatars"]
    backend = S3FailOnNthSave if current["BACKEND"].endswith("S3Storage") else FailOnNthSave
    settings.STORAGES = {**settings.STORAGES, "avatars": {
        "BACKEND": f"{__name__}.{backend.__name__}", "OPTIONS": {**current["OPTIONS"], "fail_on": fail_on}}}
