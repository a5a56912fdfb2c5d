"""What owners see of moderation through the API: states, reasons, 404/410/403 codes, statistics."""

import pytest
from rest_framework.test import APIClient

from avatars.models import Avatar
from avatars.tests.support import URL, name_from_url, post_avatar, stored_names
from moderation import services
from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_files
from testkit import images as I
from testkit import media as files

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True)


@pytest.fixture
def persona(user) -> Persona:
    return Persona.objects.create(user=user, name="Ada")


def test_avatar_upload_and_get_carry_the_state(api):
    response = post_avatar(api, I.photo_jpeg(300, 300))
    assert response.status_code == 200
    assert (response.json()["moderation_status"], response.json()["moderation_reason"]) == ("pending", "")
    assert api.get(URL, {"size": "small"}).json()["moderation_status"] == "pending"


def test_a_rejected_avatar_answers_404_with_its_reason_until_the_next_upload(api, client, user, staff):
    body = post_avatar(api, I.photo_jpeg(300, 300)).json()
    services.reject(target=Avatar.objects.get(), moderator=staff, reason="Copyrighted material")
    response = api.get(URL)
    assert response.status_code == 404
    assert response.json() == {"detail": "Copyrighted material", "code": "avatar_rejected"}
    assert api.get("/api/v1/profile/me").json()["avatar_url"] is None
    for url in body["variants"].values():
        assert client.get(url).status_code == 404
    assert stored_names() == set()

    again = post_avatar(api, I.photo_jpeg(300, 300, seed=3))
    assert again.status_code == 200
    assert api.get(URL).json()["avatar_url"] == again.json()["avatar_url"]
    assert Avatar.objects.count() == 1


def test_media_objects_carry_the_state_and_a_rejected_one_stays_listed(api, persona, staff):
    created = post_file(api, persona.pk, "image", files.png(), "cat.png")
    assert created.status_code == 201
    body = created.json()
    assert (body["moderation_status"], body["moderation_reason"]) == ("pending", "")
    media = MediaFile.objects.get(pk=body["id"])
    services.reject(target=media, moderator=staff, reason="Spam or advertising")

    detail = api.get(f"/upload/files/{media.pk}").json()
    assert (detail["moderation_status"], detail["moderation_reason"]) == ("rejected", "Spam or advertising")
    listed = api.get(f"/upload/persona/{persona.pk}/files").json()
    assert [(r["id"], r["moderation_status"]) for r in listed["results"]] == [(media.pk, "rejected")]
    download = api.get(f"/upload/files/{media.pk}/download")
    assert download.status_code == 410
    assert download.json()["code"] == "moderation_rejected"
    assert "Spam or advertising" in download.json()["detail"]
    preview = api.get(f"/upload/files/{media.pk}/preview")
    assert (preview.status_code, preview.json()["code"]) == (410, "moderation_rejected")
    signed = APIClient().get(body["preview_url"].split("testserver", 1)[1])  # no credentials
    assert (signed.status_code, signed.json()["code"]) == (410, "moderation_rejected")
    assert stored_files() == []  # the file and its preview
    # The owner may still delete the row.
    assert api.delete(f"/upload/files/{media.pk}").status_code == 204


def test_statistics_ignore_rejected_files(api, persona, staff):
    kept = post_file(api, persona.pk, "image", files.png(64, 48), "keep.png").json()
    gone = post_file(api, persona.pk, "image", files.png(80, 60), "gone.png").json()
    services.reject(target=MediaFile.objects.get(pk=gone["id"]), moderator=staff, reason="Violence")
    stats = api.get("/upload/stats").json()
    assert (stats["total_files"], stats["image_count"], stats["total_size_bytes"]) == (1, 1, kept["file_size"])
    assert stats["persona_stats"] == {str(persona.pk): {"images": 1, "videos": 0, "total_size": kept["file_size"]}}


@pytest.mark.parametrize("endpoint", ["avatar", "image", "video"])
def test_every_upload_endpoint_refuses_a_suspended_user(api, user, persona, staff, endpoint):
    services.suspend_uploads(user=user, moderator=staff, reason="Abuse")
    if endpoint == "avatar":
        response = post_avatar(api, I.photo_jpeg(300, 300))
    else:
        data, name = (files.png(), "a.png") if endpoint == "image" else (files.real_mp4(), "a.mp4")
        response = post_file(api, persona.pk, endpoint, data, name)
    assert response.status_code == 403
    assert response.json()["code"] == "uploads_suspended"
    assert stored_names() == set() and stored_files() == [] and not MediaFile.objects.exists()

    services.restore_uploads(user=user, moderator=staff)
    if endpoint == "avatar":
        assert post_avatar(api, I.photo_jpeg(300, 300)).status_code == 200
    else:
        assert post_file(api, persona.pk, endpoint, data, name).status_code == 201


def test_a_suspended_user_still_reads_and_deletes(api, user, persona, staff):
    avatar = post_avatar(api, I.photo_jpeg(300, 300)).json()
    media = post_file(api, persona.pk, "image", files.png(), "a.png").json()
    services.suspend_uploads(user=user, moderator=staff, reason="Abuse")
    assert api.get(URL).json()["avatar_url"] == avatar["avatar_url"]
    assert api.get(f"/upload/files/{media['id']}/download").status_code == 200
    assert api.get("/upload/stats").status_code == 200
    assert api.delete(f"/upload/files/{media['id']}").status_code == 204
    assert api.delete(URL).status_code == 200
    assert stored_names() == set() and stored_files() == []


def test_a_suspended_user_gets_401_not_403_without_credentials(client, persona, user, staff):
    services.suspend_uploads(user=user, moderator=staff, reason="Abuse")
    assert client.post(URL).status_code == 401


def test_replaced_avatar_files_are_not_served(api, client):
    first = post_avatar(api, I.photo_jpeg(300, 300)).json()
    post_avatar(api, I.photo_jpeg(300, 300, seed=2))
    assert client.get(first["avatar_url"]).status_code == 404
    assert name_from_url(first["avatar_url"]) not in stored_names()
