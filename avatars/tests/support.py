"""Helpers of the avatar tests: posting uploads and looking at what the avatars storage holds."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from avatars.conf import VARIANT_SIZES, storage_alias
from testkit import storage

URL = "/api/v1/profile/me/avatar"
SIZES = list(VARIANT_SIZES)


def post_avatar(client, data: bytes, name: str = "avatar.jpg", content_type: str = "image/jpeg", path: str = URL):
    """POST one file in the field `file`, as a browser form would."""
    return client.post(path, {"file": SimpleUploadedFile(name, data, content_type)}, format="multipart")


def stored_names() -> set[str]:
    """Every file name in the avatars storage (local folder or S3 bucket prefix)."""
    return storage.stored_names(storage_alias())


def stored_bytes(name: str) -> bytes:
    return storage.stored_bytes(storage_alias(), name)


def stored_image(name: str) -> Image.Image:
    """The stored file, decoded."""
    im = Image.open(io.BytesIO(stored_bytes(name)))
    im.load()
    return im


def name_from_url(url: str) -> str:
    """The storage name behind a variant URL (local base URL or S3 object URL)."""
    return url.split("/avatars/", 1)[1].split("?")[0]


def failing_storage(settings, fail_on: int) -> None:
    """Swap the avatars storage for its failing twin (same folder or bucket)."""
    storage.failing_storage(settings, storage_alias(), fail_on)
