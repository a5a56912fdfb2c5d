"""Listing, reading, editing and deleting media files; every endpoint hides other users' objects."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import stored_files
from testkit import media as files


def make_rows(persona, kinds: str) -> list[MediaFile]:
    """Rows only (no files), one per letter of `kinds` (i=image, v=video), each a minute newer."""
    start = timezone.now() - timedelta(hours=1)
    rows = []
    for index, kind in enumerate(kinds):
        media_type = "image" if kind == "i" else "video"
        row = MediaFile.objects.create(
            user=persona.user,
            persona=persona,
            filename=f"{index:032x}.png",
            stored_name=f"x/{persona.pk}/{index}",
            original_filename=f"f{index}.png",
            size_bytes=100 + index,
            mime_type="image/png",
            media_type=media_type,
            sha256="0" * 64,
        )
        MediaFile.objects.filter(pk=row.pk).update(created_at=start + timedelta(minutes=index))
        rows.append(row)
    return rows


@pytest.mark.parametrize("suffix", ["", "/"])
def test_list_is_newest_first(api, persona, suffix):
    rows = make_rows(persona, "iviv")
    response = api.get(f"/upload/persona/{persona.pk}/files{suffix}")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    assert [m["id"] for m in body["results"]] == [r.pk for r in reversed(rows)]


def test_list_pages(api, persona):
    rows = make_rows(persona, "i" * 5)
    first = api.get(f"/upload/persona/{persona.pk}/files", {"page_size": 2}).json()
    assert first["count"] == 5 and first["previous"] is None
    assert [m["id"] for m in first["results"]] == [rows[4].pk, rows[3].pk]
    last = api.get(f"/upload/persona/{persona.pk}/files", {"page_size": 2, "page": 3}).json()
    assert [m["id"] for m in last["results"]] == [rows[0].pk] and last["next"] is None


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [("image", [2, 0]), ("video", [3, 1]), (None, [3, 2, 1, 0]), ("", [3, 2, 1, 0])],  # empty: no filter
)
def test_list_filters_by_media_type(api, persona, media_type, expected):
    rows = make_rows(persona, "iviv")
    params = {} if media_type is None else {"media_type": media_type}
    body = api.get(f"/upload/persona/{persona.pk}/files", params).json()
    assert [m["id"] for m in body["results"]] == [rows[i].pk for i in expected]


@pytest.mark.parametrize("value", ["audio", "IMAGE", "images"])
def test_list_refuses_an_unknown_media_type(api, persona, value):
    response = api.get(f"/upload/persona/{persona.pk}/files", {"media_type": value})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_choice")


def test_list_shows_only_that_persona(api, persona):
    other = Persona.objects.create(user=persona.user, name="Other")
    make_rows(other, "ii")
    assert api.get(f"/upload/persona/{persona.pk}/files").json()["count"] == 0


@pytest.mark.parametrize("suffix", ["", "/"])
def test_retrieve(api, media, suffix):
    response = api.get(f"/upload/files/{media.pk}{suffix}")
    assert response.status_code == 200
    assert response.json()["original_filename"] == "picture.png"
    assert response.json()["description"] == "A picture"


@pytest.mark.parametrize(
    ("method", "fmt", "body", "expected"),
    [
        ("put", "json", {"description": "New words"}, "New words"),
        ("patch", "json", {"description": "Patched"}, "Patched"),
        ("put", "multipart", {"description": "From a form"}, "From a form"),
        ("patch", "multipart", {"description": ""}, ""),
        ("patch", "json", {"description": None}, ""),
        ("patch", "json", {"description": "ü" * 1000}, "ü" * 1000),
    ],
)
def test_update_description(api, media, method, fmt, body, expected):
    response = getattr(api, method)(f"/upload/files/{media.pk}", body, format=fmt)
    assert response.status_code == 200, response.content
    assert response.json()["description"] == expected
    media.refresh_from_db()
    assert media.description == expected


def test_update_refuses_a_long_description_and_ignores_read_only_fields(api, media):
    response = api.patch(f"/upload/files/{media.pk}", {"description": "x" * 1001}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "max_length")
    response = api.patch(f"/upload/files/{media.pk}", {"file_size": 1, "filename": "evil.exe"}, format="json")
    assert response.status_code == 200
    media.refresh_from_db()
    assert (media.size_bytes, media.filename, media.description) == (
        len(files.png(64, 48)),
        media.filename,
        "A picture",
    )


@pytest.mark.django_db(transaction=True)
def test_delete_removes_row_and_file(storage_backend, api, media):
    assert stored_files() == sorted(media.stored_names)
    response = api.delete(f"/upload/files/{media.pk}/")
    assert response.status_code == 204
    assert not MediaFile.objects.exists()
    assert stored_files() == []
    assert api.get(f"/upload/files/{media.pk}").status_code == 404


# --- Ownership: user B meets user A's objects on every endpoint -------------------------------------

ENDPOINTS = [
    ("get", "/api/v1/personas/{persona}"),
    ("put", "/api/v1/personas/{persona}"),
    ("patch", "/api/v1/personas/{persona}"),
    ("delete", "/api/v1/personas/{persona}"),
    ("post", "/upload/persona/{persona}/image"),
    ("post", "/upload/persona/{persona}/video"),
    ("get", "/upload/persona/{persona}/files"),
    ("get", "/upload/files/{media}"),
    ("put", "/upload/files/{media}"),
    ("patch", "/upload/files/{media}"),
    ("delete", "/upload/files/{media}"),
    ("get", "/upload/files/{media}/download"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_another_users_objects_are_not_found(make_user, client_for, persona, media, method, path):
    intruder = client_for(make_user())
    url = path.format(persona=persona.pk, media=media.pk)
    body = {"name": "x", "description": "x"}
    if method == "post":
        body = {"file": SimpleUploadedFile("a.png", files.png())}
    response = getattr(intruder, method)(url, body, format="multipart" if method == "post" else "json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    persona.refresh_from_db()
    media.refresh_from_db()
    assert (persona.name, media.description) == ("Ada", "A picture")
    assert MediaFile.objects.count() == 1
    assert stored_files() == sorted(media.stored_names)


def test_another_users_stats_are_not_mine(make_user, client_for, media):
    body = client_for(make_user()).get("/upload/stats").json()
    assert (body["total_files"], body["persona_stats"]) == (0, {})
