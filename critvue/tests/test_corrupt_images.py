"""API.md, "Corrupt images": accepted only if they decode completely and cleanly, on every endpoint.

Each file is made from real encoder output by byte surgery (testkit.damaged); each endpoint must
answer 400 corrupt_file and keep no row and no file. (The pure checks: mediakit/tests/test_jpeg.py,
test_integrity.py.)
"""

import pytest

from avatars.models import Avatar
from avatars.tests.support import post_avatar
from avatars.tests.support import stored_names as avatar_files
from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file
from persona_media.tests.helpers import stored_files as media_files
from testkit import damaged

pytestmark = pytest.mark.django_db


@pytest.fixture
def persona(user) -> Persona:
    return Persona.objects.create(user=user, name="Ada")


DAMAGED = [
    pytest.param(lambda: damaged.cut_scan(damaged.jpeg(), 0.5), "photo.jpg", id="jpeg-cut-short-with-eoi"),
    pytest.param(
        lambda: damaged.claim_height(damaged.jpeg(600, 400), 1600), "photo.jpg", id="jpeg-header-promises-more-rows"
    ),
    pytest.param(lambda: damaged.bad_idat_crc(damaged.png(300, 200, "RGB")), "picture.png", id="png-idat-crc"),
]


@pytest.mark.parametrize(("make", "name"), DAMAGED)
def test_avatars_refuse_damaged_images(api, make, name):
    response = post_avatar(api, make(), name=name)
    assert (response.status_code, response.json()["code"]) == (400, "corrupt_file")
    assert not Avatar.objects.exists() and avatar_files() == set()


@pytest.mark.parametrize(("make", "name"), DAMAGED)
def test_persona_images_refuse_damaged_images(api, persona, make, name):
    response = post_file(api, persona.pk, "image", make(), name)
    assert (response.status_code, response.json()["code"]) == (400, "corrupt_file")
    assert not MediaFile.objects.exists() and media_files() == []


@pytest.mark.parametrize(
    ("make", "name"),
    [
        pytest.param(lambda: damaged.jpeg(), "photo.jpg", id="jpeg"),
        pytest.param(lambda: damaged.png(300, 200, "RGB"), "picture.png", id="png"),
    ],
)
def test_the_same_files_undamaged_are_accepted(api, persona, make, name):
    assert post_avatar(api, make(), name=name).status_code == 200
    assert post_file(api, persona.pk, "image", make(), name).status_code == 201
