"""Fixtures of the avatar tests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from avatars import services
from testkit import images as I


@pytest.fixture
def make_avatar():
    """Give a user an avatar through the service (default: a 600x400 photo-like JPEG)."""

    def make(user, data: bytes | None = None, name: str = "avatar.jpg"):
        data = I.photo_jpeg(600, 400) if data is None else data
        return services.avatar_replace(user=user, upload=SimpleUploadedFile(name, data))

    return make
