"""GET /api/v1/profile/me/export: a streamed ZIP with the profile, personas, the avatar and every media file's bytes."""
import io
import json
import zipfile

import pytest
from rest_framework.test import APIClient

from accounts.tests.data import fill
from avatars.models import AvatarVariant
from persona_media.models import MediaFile
from testkit.storage import stored_bytes

URL = "/api/v1/profile/me/export"
pytestmark = pytest.mark.django_db(transaction=True)


def without_urls(objects: list[dict]) -> list[dict]:
    # Signed URLs are fresh in every response; everything else must match the API's own objects.
    return [{k: v for k, v in o.items() if not k.endswith("_url")} for o in objects]


def download(client) -> tuple[object, zipfile.ZipFile]:
    response = client.get(URL)
    assert response.status_code == 200
    assert response.streaming  # built while it is sent, never assembled first
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None  # every member's CRC is right
    return response, archive


def test_export_holds_exact_bytes_of_everything_and_nothing_of_others(storage_backend, make_user, client_for):
    user, other = make_user(), make_user()
    client = client_for(user)
    held = fill(user, client)
    fill(other, client_for(other), seed=1)

    response, archive = download(client)

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="critvue-export-{user.pk}.zip"')
    full = AvatarVariant.objects.get(avatar__user=user, label="full")
    media = {m.pk: m for m in MediaFile.objects.filter(user=user)}
    expected = {"profile.json", "personas.json", f"avatar/{full.stored_name.rsplit('/', 1)[-1]}",
                *(f"media/{m.persona_id}/{m.pk}-{m.original_filename}" for m in media.values())}
    assert set(archive.namelist()) == expected
    assert f"media/{held.personas[0]}/{min(media)}-plan.png" in expected
    assert any(name.endswith("-été.jpg") for name in expected)
    for pk, sent in held.uploads.items():
        assert archive.read(f"media/{media[pk].persona_id}/{pk}-{media[pk].original_filename}") == sent
    assert archive.read(f"avatar/{full.stored_name.rsplit('/', 1)[-1]}") == stored_bytes("avatars", full.stored_name)

    assert json.loads(archive.read("profile.json")) == client.get("/api/v1/profile/me").json()
    personas = json.loads(archive.read("personas.json"))
    assert [p["id"] for p in personas] == sorted(held.personas)
    for persona in personas:
        listed = client.get(f"/upload/persona/{persona['id']}/files").json()
        listed = listed["results"] if isinstance(listed, dict) else listed
        assert without_urls(sorted(persona.pop("media_files"), key=lambda m: m["id"])) == \
            without_urls(sorted(listed, key=lambda m: m["id"]))
        assert persona == client.get(f"/api/v1/personas/{persona['id']}").json()


def test_an_empty_account_exports_its_profile(api, user):
    _, archive = download(api)
    assert archive.namelist() == ["profile.json", "personas.json"]
    assert json.loads(archive.read("personas.json")) == []
    assert json.loads(archive.read("profile.json"))["email"] == user.email


def test_any_accept_header_gets_the_zip(api):
    response = api.get(URL, HTTP_ACCEPT="application/zip")
    assert (response.status_code, response["Content-Type"]) == (200, "application/zip")


def test_unauthenticated_is_401():
    response = APIClient().get(URL)
    assert response.status_code == 401 and response.json()["detail"]


def test_head_answers_the_get_headers_without_a_body(make_user, client_for):
    user = make_user()
    client = client_for(user)
    fill(user, client)
    head, get = client.head(URL), client.get(URL)
    assert head.status_code == 200 and head.content == b""
    for header in ("Content-Type", "Content-Length", "Content-Disposition", "Cache-Control"):
        assert head[header] == get[header]
    assert int(head["Content-Length"]) == len(b"".join(get.streaming_content))
