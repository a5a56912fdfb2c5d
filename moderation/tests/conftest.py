"""Fixtures of the moderation tests: avatars and media made through the real services, moderators."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from avatars import services as avatar_services
from moderation.conf import GROUP_NAME
from moderation.groups import sync_moderators_group
from persona_media import services as media_services
from persona_media.models import Persona
from testkit import images as I
from testkit import media as files


@pytest.fixture
def make_avatar():
    """Give a user an avatar through the service (a 600x400 photo-like JPEG, seed varies the pixels)."""

    def make(user, seed: int = 1):
        return avatar_services.avatar_replace(
            user=user, upload=SimpleUploadedFile("avatar.jpg", I.photo_jpeg(600, 400, seed=seed))
        )

    return make


@pytest.fixture
def make_media():
    """A PNG media file in a persona of `user`, through the service."""

    def make(user, persona_name: str = "Ada", filename: str = "picture.png", width: int = 64):
        persona, _ = Persona.objects.get_or_create(user=user, name=persona_name)
        return media_services.media_create(
            user=user, persona=persona, media_type="image", upload=SimpleUploadedFile(filename, files.png(width, 48))
        )

    return make


@pytest.fixture
def moderators_group(db) -> Group:
    # Transactional tests flush the rows the data migration made; this makes them again, the same way.
    sync_moderators_group(apps)
    return Group.objects.get(name=GROUP_NAME)


@pytest.fixture
def mod_user(make_user, moderators_group):
    """A staff member whose only rights come from the Moderators group."""
    user = make_user(email="mod@example.com", is_staff=True)
    user.groups.add(moderators_group)
    return user


@pytest.fixture
def mod_client(mod_user) -> Client:
    client = Client()
    client.force_login(mod_user)
    return client
