"""A user with something of everything stored: an avatar, personas and media files (through the API)."""

from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from avatars import services as avatar_services
from persona_media.tests.helpers import post_file
from testkit import images as I
from testkit import media as files


@dataclass
class Holdings:
    user: object
    uploads: dict[int, bytes] = field(default_factory=dict)  # media id -> the exact bytes sent
    personas: list[int] = field(default_factory=list)


def fill(user, client, *, seed: int = 0) -> Holdings:
    """Give `user` an avatar and two personas with three media files between them."""
    avatar_services.avatar_replace(user=user, upload=SimpleUploadedFile("me.jpg", I.photo_jpeg(300 + seed, 200)))
    held = Holdings(user)
    for name, sent in (
        ("Ada", [(files.png(40 + seed, 30), "plan.png"), (files.jpeg(50, 20 + seed), "été.jpg")]),
        ("Bob", [(files.png(24, 24 + seed, alpha=True), "logo.png")]),
    ):
        persona = client.post("/api/v1/personas", {"name": name}, format="json").json()["id"]
        held.personas.append(persona)
        for data, filename in sent:
            response = post_file(client, persona, "image", data, filename)
            assert response.status_code == 201, response.content
            held.uploads[response.json()["id"]] = data
    return held
