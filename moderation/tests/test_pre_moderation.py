"""MODERATION_MODE=pre: a new avatar waits beside the current one until a moderator decides."""

import time

import pytest
from django.core import signing
from django.db import IntegrityError, transaction

from avatars.models import Avatar
from avatars.tests.support import URL, name_from_url, post_avatar, stored_bytes, stored_names
from moderation import services
from testkit import images as I
from testkit.appsettings import app_settings

pytestmark = pytest.mark.django_db(transaction=True)


def storage_bytes(url: str) -> bytes:
    return stored_bytes(name_from_url(url))


@pytest.fixture(autouse=True)
def pre_mode(settings):
    app_settings(settings, "MODERATION", MODE="pre")


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True)


def upload(api, seed: int):
    return post_avatar(api, I.photo_jpeg(300, 300, seed=seed))


def file_status(client, url: str) -> int:
    return client.get(url).status_code


def test_upload_answers_202_and_stays_private_until_approved(api, client, user, staff):
    response = upload(api, 1)
    assert response.status_code == 202
    body = response.json()
    assert (body["moderation_status"], body["moderation_reason"]) == ("pending", "")
    assert "awaits a moderator's review" in body["message"] and "successfully" not in body["message"]
    assert body["pending"]["moderation_status"] == "pending" and body["pending"]["blurhash"] == body["blurhash"]
    assert set(body["variants"]) == {"thumbnail", "small", "medium", "large", "full"}
    for url in body["variants"].values():
        assert file_status(client, url) == 404  # stored, but not served
    # The owner sees what waits: 200 with no current avatar, and a preview that works without credentials.
    waiting = api.get(URL)
    assert waiting.status_code == 200
    seen = waiting.json()
    assert (seen["avatar_url"], seen["moderation_status"]) == (None, None)
    assert set(seen["pending"]) == {"moderation_status", "preview_url", "blurhash", "created_at"}
    preview = client.get(seen["pending"]["preview_url"])
    assert preview.status_code == 200 and preview["Cache-Control"].startswith("private")
    assert b"".join(preview.streaming_content) == storage_bytes(body["variants"]["medium"])
    assert api.get("/api/v1/profile/me").json()["avatar_url"] is None

    services.approve(target=Avatar.objects.get(), moderator=staff)
    assert api.get(URL).json() == {
        "avatar_url": body["avatar_url"],
        "size": "medium",
        "blurhash": body["blurhash"],
        "moderation_status": "approved",
        "moderation_reason": "",
        "pending": None,
    }
    assert client.get(seen["pending"]["preview_url"]).status_code == 404  # no longer waiting: it is public now
    assert api.get("/api/v1/profile/me").json()["avatar_url"] == body["avatar_url"]
    assert file_status(client, body["variants"]["large"]) == 200


def test_the_previous_approved_avatar_stays_until_the_new_one_is_approved(api, client, staff):
    first = upload(api, 1).json()
    services.approve(target=Avatar.objects.get(), moderator=staff)
    second = upload(api, 2).json()
    assert api.get("/api/v1/profile/me").json()["avatar_url"] == first["avatar_url"]
    assert Avatar.objects.filter(is_current=True).count() == Avatar.objects.filter(is_current=False).count() == 1

    services.approve(target=Avatar.objects.get(is_current=False), moderator=staff)
    assert api.get("/api/v1/profile/me").json()["avatar_url"] == second["avatar_url"]
    assert Avatar.objects.get().is_current
    # The replaced avatar's files went with it, after commit.
    assert stored_names() == {name_from_url(url) for url in second["variants"].values()}
    assert file_status(client, first["avatar_url"]) == 404


def test_rejecting_a_waiting_avatar_deletes_its_files_keeps_the_current_and_tells_the_owner(api, client, staff):
    first = upload(api, 1).json()
    services.approve(target=Avatar.objects.get(), moderator=staff)
    upload(api, 2)
    services.reject(target=Avatar.objects.get(is_current=False), moderator=staff, reason="Nudity")
    seen = api.get(URL).json()
    assert seen["avatar_url"] == first["avatar_url"] and seen["moderation_status"] == "approved"
    assert seen["pending"] == {
        "moderation_status": "rejected",
        "moderation_reason": "Nudity",
        "created_at": seen["pending"]["created_at"],
    }
    assert stored_names() == {name_from_url(url) for url in first["variants"].values()}
    assert Avatar.objects.get(is_current=True).moderation_status == "approved"
    # The next upload replaces the rejection notice.
    third = upload(api, 3).json()
    assert api.get(URL).json()["pending"]["moderation_status"] == "pending"
    assert Avatar.objects.get(is_current=False).urls == third["variants"]


def test_a_rejected_waiting_avatar_is_news_even_without_a_current_one(api, staff):
    upload(api, 1)
    services.reject(target=Avatar.objects.get(), moderator=staff, reason="Not a picture of a person")
    answer = api.get(URL)
    assert answer.status_code == 200
    assert answer.json()["avatar_url"] is None
    assert answer.json()["pending"]["moderation_reason"] == "Not a picture of a person"
    assert stored_names() == set()


def test_the_pending_preview_url_is_signed_and_expires(api, client, monkeypatch):
    body = upload(api, 1).json()
    url = body["pending"]["preview_url"]
    pk = Avatar.objects.get().pk
    for altered in (
        url.replace("sig=", "sig=x"),
        url.replace(f"/avatars/{pk}/", f"/avatars/{pk + 1}/"),
        url.split("?")[0],
    ):
        answer = client.get(altered)
        assert (answer.status_code, answer.json()["code"]) == (403, "bad_signature")
    later = time.time() + 3601
    monkeypatch.setattr(signing.time, "time", lambda: later)  # an hour and a second on
    answer = client.get(url)
    assert (answer.status_code, answer.json()["code"]) == (403, "url_expired")


def test_a_newer_waiting_upload_replaces_the_older_one(api, staff):
    older = upload(api, 1).json()
    newer = upload(api, 2).json()
    waiting = Avatar.objects.get()
    assert not waiting.is_current and waiting.urls == newer["variants"]
    assert stored_names() == {name_from_url(url) for url in newer["variants"].values()}
    assert not set(older["variants"].values()) & set(newer["variants"].values())


def test_the_database_refuses_a_second_current_or_waiting_avatar(user):
    fields = dict(user=user, original_bytes=1, original_width=100, original_height=100, original_format="JPEG")
    Avatar.objects.create(is_current=True, **fields)
    Avatar.objects.create(is_current=False, **fields)
    for current in (True, False):
        with pytest.raises(IntegrityError), transaction.atomic():
            Avatar.objects.create(is_current=current, **fields)


def test_delete_removes_the_current_and_the_waiting_avatar(api, staff):
    upload(api, 1)
    services.approve(target=Avatar.objects.get(), moderator=staff)
    upload(api, 2)
    response = api.delete(URL)
    assert response.json()["files_deleted"] == 10
    assert not Avatar.objects.exists() and stored_names() == set()


def test_on_s3_a_waiting_avatar_is_private_until_approved(s3_storages, api, staff):
    """Its objects are written private (the 202 names their URLs) and made public on approval."""
    import requests

    body = upload(api, 7).json()
    for url in body["variants"].values():
        assert requests.get(url, timeout=30).status_code == 403  # anonymous, as a browser would ask
    services.approve(target=Avatar.objects.get(), moderator=staff)
    for url in body["variants"].values():
        answer = requests.get(url, timeout=30)
        assert answer.status_code == 200 and answer.content[:3] == b"\xff\xd8\xff"
