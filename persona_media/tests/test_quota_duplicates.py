"""API.md: a quota on the stored bytes of one user's media, and no same bytes twice in a persona."""

import threading

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_files
from testkit import media as files
from testkit.appsettings import app_settings

pytestmark = pytest.mark.django_db


def test_the_same_bytes_again_in_a_persona_is_409_with_the_existing_id(api, persona):
    first = post_file(api, persona.pk, "image", files.png(70, 50), "a.png").json()
    before = stored_files()
    response = post_file(api, persona.pk, "image", files.png(70, 50), "another-name.png")
    assert response.status_code == 409
    assert response.json() == {
        "detail": response.json()["detail"],
        "code": "duplicate_file",
        "existing_id": first["id"],
    }
    assert MediaFile.objects.count() == 1 and stored_files() == before


def test_the_same_bytes_in_another_persona_are_accepted(api, user, persona):
    other = Persona.objects.create(user=user, name="Other")
    assert post_file(api, persona.pk, "image", files.png(70, 50), "a.png").status_code == 201
    assert post_file(api, other.pk, "image", files.png(70, 50), "a.png").status_code == 201


def test_a_deleted_file_can_be_uploaded_again(api, persona):
    first = post_file(api, persona.pk, "image", files.png(70, 50), "a.png").json()
    assert api.delete(f"/upload/files/{first['id']}").status_code == 204
    assert post_file(api, persona.pk, "image", files.png(70, 50), "a.png").status_code == 201


def test_an_upload_past_the_quota_is_413_and_leaves_nothing(settings, api, user, persona):
    one, two = files.png(70, 50), files.png(90, 60)
    app_settings(settings, "PERSONA_MEDIA", QUOTA_BYTES=len(one) + len(two) - 1)
    assert post_file(api, persona.pk, "image", one, "one.png").status_code == 201
    before = stored_files()
    response = post_file(api, persona.pk, "image", two, "two.png")
    assert (response.status_code, response.json()["code"]) == (413, "quota_exceeded")
    assert MediaFile.objects.count() == 1 and stored_files() == before
    stats = api.get("/upload/stats").json()
    assert (stats["quota_bytes"], stats["quota_used_bytes"]) == (len(one) + len(two) - 1, len(one))


def test_deleting_frees_quota(settings, api, persona):
    one, two = files.png(70, 50), files.png(90, 60)
    app_settings(settings, "PERSONA_MEDIA", QUOTA_BYTES=max(len(one), len(two)))
    first = post_file(api, persona.pk, "image", one, "one.png").json()
    assert post_file(api, persona.pk, "image", two, "two.png").status_code == 413
    assert api.delete(f"/upload/files/{first['id']}").status_code == 204
    assert post_file(api, persona.pk, "image", two, "two.png").status_code == 201


def test_the_quota_counts_every_persona_of_the_user(settings, api, user, persona):
    other = Persona.objects.create(user=user, name="Other")
    one, two = files.png(70, 50), files.png(90, 60)
    app_settings(settings, "PERSONA_MEDIA", QUOTA_BYTES=len(one) + len(two) - 1)
    assert post_file(api, persona.pk, "image", one, "one.png").status_code == 201
    assert post_file(api, other.pk, "image", two, "two.png").status_code == 413


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_cannot_add_up_past_the_quota(settings, live_server, user):
    """Four uploads into four personas at once, room for two: exactly two are stored."""
    pictures = [files.png(60 + i, 40) for i in range(4)]
    sizes = [len(p) for p in pictures]
    app_settings(settings, "PERSONA_MEDIA", QUOTA_BYTES=2 * max(sizes))  # any two fit, whichever come first
    assert 3 * min(sizes) > settings.PERSONA_MEDIA["QUOTA_BYTES"]  # and no three
    personas = [Persona.objects.create(user=user, name=f"p{i}") for i in range(4)]
    token = str(AccessToken.for_user(user))
    barrier, answers = threading.Barrier(4), []

    def send(persona, data):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        answers.append(post_file(client, persona.pk, "image", data, "x.png").status_code)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(personas, pictures)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 201, 413, 413]
    assert sum(MediaFile.objects.values_list("size_bytes", flat=True)) <= settings.PERSONA_MEDIA["QUOTA_BYTES"]
    assert len(stored_files()) == 2 * MediaFile.objects.count()  # each with its preview, nothing else
