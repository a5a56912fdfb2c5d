"""Fixtures of the persona_media tests: personas, other users, uploads through the API."""

import pytest

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file
from testkit import media as files


@pytest.fixture
def persona(user) -> Persona:
    return Persona.objects.create(user=user, name="Ada", description="The first one")


@pytest.fixture
def other_user(make_user):
    return make_user()


@pytest.fixture
def upload(api):
    """Upload through the API as `user`: upload(persona, kind="image", data=..., filename=...)."""

    def send(persona, kind: str = "image", data: bytes | None = None, filename: str | None = None, **fields):
        if data is None:
            data = files.png() if kind == "image" else files.real_mp4()
        filename = filename or ("picture.png" if kind == "image" else "clip.mp4")
        return post_file(api, persona.pk, kind, data, filename, **fields)

    return send


@pytest.fixture
def media(upload, persona) -> MediaFile:
    """One uploaded PNG of `persona`."""
    response = upload(persona, "image", files.png(64, 48), "picture.png", description="A picture")
    assert response.status_code == 201, response.content
    return MediaFile.objects.get(pk=response.json()["id"])
