"""GET /upload/stats: the caller's totals from one aggregate query, however many rows there are."""

import pytest
from rest_framework.test import APIClient

from persona_media.models import MediaFile, Persona
from testkit.appsettings import app_settings

MIB = 1024 * 1024


def add_rows(persona: Persona, *sizes: tuple[str, int]) -> None:
    """Bulk-insert media rows (no files) of the given (media_type, size)."""
    MediaFile.objects.bulk_create(
        MediaFile(
            user=persona.user,
            persona=persona,
            filename=f"{persona.pk}-{i}.jpg",
            stored_name=f"{persona.user_id}/{persona.pk}/{i}.jpg",
            original_filename="a.jpg",
            size_bytes=size,
            mime_type="image/jpeg" if kind == "image" else "video/mp4",
            media_type=kind,
            sha256="0" * 64,
        )
        for i, (kind, size) in enumerate(sizes)
    )


@pytest.mark.parametrize("suffix", ["", "/"])
def test_stats_match_the_contract(api, user, make_user, suffix):
    first = Persona.objects.create(user=user, name="one")
    second = Persona.objects.create(user=user, name="two")
    empty = Persona.objects.create(user=user, name="none yet")
    add_rows(first, ("image", 10 * MIB), ("image", 10 * MIB), ("video", 10 * MIB))
    add_rows(second, ("image", 10 * MIB), ("video", 10 * MIB))
    add_rows(Persona.objects.create(user=make_user(), name="theirs"), ("image", 5))
    response = api.get(f"/upload/stats{suffix}")
    assert response.status_code == 200
    assert response.json() == {
        "total_files": 5,
        "total_size_bytes": 52428800,
        "total_size_mb": 50.0,
        "image_count": 3,
        "video_count": 2,
        "persona_stats": {
            str(first.pk): {"images": 2, "videos": 1, "total_size": 31457280},
            str(second.pk): {"images": 1, "videos": 1, "total_size": 20971520},
            str(empty.pk): {"images": 0, "videos": 0, "total_size": 0},
        },
        "file_size_limit_mb": 10,
        "quota_bytes": 500 * MIB,
        "quota_used_bytes": 52428800,
    }


def test_sizes_in_mib_are_rounded_to_two_decimals(api, user, settings):
    app_settings(settings, "PERSONA_MEDIA", MAX_UPLOAD_BYTES=3 * MIB // 2)
    add_rows(Persona.objects.create(user=user, name="p"), ("image", 1234567), ("video", 1))
    body = api.get("/upload/stats").json()
    assert (body["total_size_bytes"], body["total_size_mb"], body["file_size_limit_mb"]) == (1234568, 1.18, 1.5)


def test_no_media_at_all(api):
    assert api.get("/upload/stats").json() == {
        "total_files": 0,
        "total_size_bytes": 0,
        "total_size_mb": 0.0,
        "image_count": 0,
        "video_count": 0,
        "persona_stats": {},
        "file_size_limit_mb": 10,
        "quota_bytes": 500 * MIB,
        "quota_used_bytes": 0,
    }


@pytest.mark.parametrize(("personas", "files_each"), [(1, 1), (50, 10)])
def test_query_count_does_not_grow_with_rows(api, user, django_assert_num_queries, personas, files_each):
    for index in range(personas):
        persona = Persona.objects.create(user=user, name=f"p{index}")
        add_rows(persona, *[("image" if i % 2 else "video", 1000) for i in range(files_each)])
    # One query finds the token's user, one computes every figure.
    with django_assert_num_queries(2):
        body = api.get("/upload/stats").json()
    assert body["total_files"] == personas * files_each
    assert len(body["persona_stats"]) == personas


def test_stats_need_authentication():
    assert APIClient().get("/upload/stats").status_code == 401
