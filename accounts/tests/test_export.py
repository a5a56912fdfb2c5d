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
    expected = {
        "profile.json",
        "personas.json",
        f"avatar/{full.stored_name.rsplit('/', 1)[-1]}",
        *(f"media/{m.persona_id}/{m.pk}-{m.original_filename}" for m in media.values()),
    }
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
        assert without_urls(sorted(persona.pop("media_files"), key=lambda m: m["id"])) == without_urls(
            sorted(listed, key=lambda m: m["id"])
        )
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


# --- what the archive holds when stored files are gone ----------------------------------------------


def media_names(user) -> dict[int, str]:
    return {m.pk: f"media/{m.persona_id}/{m.pk}-{m.original_filename}" for m in MediaFile.objects.filter(user=user)}


def test_a_rejected_media_file_stays_listed_and_its_deleted_file_is_left_out(storage_backend, make_user, client_for):
    from moderation import services as moderation

    user = make_user()
    client = client_for(user)
    held = fill(user, client)
    names = media_names(user)
    rejected = min(names)
    assert moderation.reject(
        target=MediaFile.objects.get(pk=rejected), moderator=make_user(is_staff=True), reason="Spam"
    )

    _, archive = download(client)

    media = {name for name in archive.namelist() if name.startswith("media/")}
    assert media == set(names.values()) - {names[rejected]}
    for pk in set(names) - {rejected}:
        assert archive.read(names[pk]) == held.uploads[pk]
    listed = {m["id"]: m for p in json.loads(archive.read("personas.json")) for m in p["media_files"]}
    assert set(listed) == set(names)  # the rejected row stays, with why
    assert (listed[rejected]["moderation_status"], listed[rejected]["moderation_reason"]) == ("rejected", "Spam")


def test_a_stored_file_missing_before_the_export_is_left_out_and_logged(storage_backend, make_user, client_for, caplog):
    from persona_media import conf

    user = make_user()
    client = client_for(user)
    fill(user, client)
    names = media_names(user)
    lost = MediaFile.objects.get(pk=max(names))
    conf.storage().delete(lost.stored_name)

    head = client.head(URL)
    response, archive = download(client)

    assert {n for n in archive.namelist() if n.startswith("media/")} == set(names.values()) - {names[lost.pk]}
    assert head["Content-Length"] == response["Content-Length"]
    assert any(
        lost.stored_name in record.getMessage()
        for record in caplog.records
        if record.name == "mediakit.export" and record.levelname == "WARNING"
    )


def test_a_stored_file_that_vanishes_once_the_export_is_laid_out_breaks_the_stream(
    storage_backend, make_user, client_for, caplog
):
    from mediakit.export import ExportInterrupted
    from persona_media import conf

    user = make_user()
    client = client_for(user)
    fill(user, client)
    last = MediaFile.objects.get(pk=max(media_names(user)))

    response = client.get(URL)  # laid out: Content-Length and member list fixed, nothing read yet
    assert response.status_code == 200
    conf.storage().delete(last.stored_name)
    received = bytearray()
    with pytest.raises(ExportInterrupted):
        for chunk in response.streaming_content:
            received += chunk

    assert 0 < len(received) < int(response["Content-Length"])  # never a whole-looking archive
    assert any(record.levelname == "ERROR" and record.name == "mediakit.export" for record in caplog.records)


def test_a_stored_file_cut_short_once_the_export_is_laid_out_breaks_the_stream(make_user, client_for, caplog):
    from mediakit.export import ExportInterrupted
    from persona_media import conf

    user = make_user()
    client = client_for(user)
    fill(user, client)
    first = MediaFile.objects.get(pk=min(media_names(user)))

    response = client.get(URL)
    with open(conf.storage().path(first.stored_name), "r+b") as stored:
        stored.truncate(first.size_bytes // 2)
    with pytest.raises(ExportInterrupted):
        b"".join(response.streaming_content)
    assert any(
        f"{first.size_bytes // 2} bytes" in record.getMessage()
        for record in caplog.records
        if record.name == "mediakit.export"
    )
