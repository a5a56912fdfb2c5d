"""Every route answers with and without a trailing slash, itself, with no redirect."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from testkit import media as files

ROUTES = [
    # (method, path, body, format, status)
    ("get", "/api/v1/personas", None, None, 200),
    ("post", "/api/v1/personas", {"name": "New"}, "json", 201),
    ("get", "/api/v1/personas/{persona}", None, None, 200),
    ("put", "/api/v1/personas/{persona}", {"name": "Renamed"}, "json", 200),
    ("patch", "/api/v1/personas/{persona}", {"name": "Patched"}, "json", 200),
    ("post", "/upload/persona/{persona}/image", "png", "multipart", 201),
    ("post", "/upload/persona/{persona}/video", "mp4", "multipart", 201),
    ("get", "/upload/persona/{persona}/files", None, None, 200),
    ("get", "/upload/files/{media}", None, None, 200),
    ("put", "/upload/files/{media}", {"description": "x"}, "json", 200),
    ("patch", "/upload/files/{media}", {"description": "y"}, "json", 200),
    ("get", "/upload/files/{media}/download", None, None, 200),
    ("get", "/upload/files/{media}/preview", None, None, 200),
    ("get", "/upload/stats", None, None, 200),
    ("delete", "/upload/files/{media}", None, None, 204),
    ("delete", "/api/v1/personas/{persona}", None, None, 204),
]


@pytest.mark.parametrize("slash", ["", "/"], ids=["bare", "slash"])
@pytest.mark.parametrize(("method", "path", "body", "fmt", "status"), ROUTES, ids=[f"{r[0]} {r[1]}" for r in ROUTES])
def test_route_answers_both_forms(api, persona, media, slash, method, path, body, fmt, status):
    if body == "png":
        body = {"file": SimpleUploadedFile("a.png", files.png(80, 60))}  # not the bytes of `media`
    elif body == "mp4":
        body = {"file": SimpleUploadedFile("a.mp4", files.real_mp4())}
    url = path.format(persona=persona.pk, media=media.pk) + slash
    response = getattr(api, method)(url, body, format=fmt) if body else getattr(api, method)(url)
    assert response.status_code == status, response.content
