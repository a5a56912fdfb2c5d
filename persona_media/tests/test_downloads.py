"""GET /upload/files/{id}/download: exact bytes, headers, ranges, 304, and the production hand-offs."""

import hashlib
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from persona_media import conf
from persona_media.models import MediaFile
from persona_media.tests.helpers import post_file
from testkit import media as files
from testkit.appsettings import app_settings


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def video(api, persona) -> tuple[MediaFile, bytes]:
    data = files.real_mp4()
    response = post_file(api, persona.pk, "video", data, "clip.mp4")
    assert response.status_code == 201
    return MediaFile.objects.get(), data


@pytest.mark.parametrize("suffix", ["", "/"])
def test_download_is_the_exact_bytes_with_headers(storage_backend, api, video, suffix):
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download{suffix}")
    assert response.status_code == 200
    assert body_of(response) == data
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"] == "attachment; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [("bytes=0-99", 0, 100), ("bytes=100-", 100, None), ("bytes=-50", -50, None), ("bytes=10-10", 10, 11)],
)
def test_range_gets_206(storage_backend, api, video, header, start, stop):
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download", HTTP_RANGE=header)
    assert response.status_code == 206
    part = data[start:stop]
    assert body_of(response) == part
    first = start % len(data)
    assert response["Content-Range"] == f"bytes {first}-{first + len(part) - 1}/{len(data)}"
    assert response["Content-Length"] == str(len(part))


def test_unsatisfiable_range_gets_416(api, video):
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download", HTTP_RANGE=f"bytes={len(data)}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(data)}"
    assert response.json()["code"] == "range_not_satisfiable"


def test_matching_if_none_match_gets_304(api, video):
    media, _ = video
    etag = api.get(f"/upload/files/{media.pk}/download")["ETag"]
    response = api.get(f"/upload/files/{media.pk}/download", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert not response.content
    assert api.get(f"/upload/files/{media.pk}/download", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_any_accept_header_gets_the_file(api, video):
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download", HTTP_ACCEPT="video/mp4")
    assert response.status_code == 200
    assert body_of(response) == data


def test_unicode_original_name(api, persona):
    boundary = "b"
    name = "résumé 照片.png"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'.encode()
        + files.png()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    created = api.generic(
        "POST", f"/upload/persona/{persona.pk}/image", body, f"multipart/form-data; boundary={boundary}"
    )
    assert created.json()["original_filename"] == name
    response = api.get(f"/upload/files/{created.json()['id']}/download")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"resume .png\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E7%85%A7%E7%89%87.png"
    )


def test_head_has_the_headers_only(storage_backend, api, video):
    media, data = video
    response = api.head(f"/upload/files/{media.pk}/download")
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(data)) and response["ETag"] == f'"{media.sha256}"'
    assert response.content == b""


def test_a_row_whose_file_is_gone_is_a_json_404(storage_backend, api, video, caplog):
    media, _ = video
    conf.storage().delete(media.stored_name)
    response = api.get(f"/upload/files/{media.pk}/download")
    assert (response.status_code, response.json()["code"]) == (404, "file_missing")
    assert "stored media file is missing" in caplog.text
    head = api.head(f"/upload/files/{media.pk}/download")  # HEAD answers what GET would, without a body
    assert (head.status_code, head.content) == (404, b"")


def test_missing_file_is_404(api):
    response = api.get("/upload/files/999/download")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


# --- Hand-offs for production ---------------------------------------------------------------------------


def test_x_accel_redirect_with_local_storage(settings, api, video):
    app_settings(settings, "PERSONA_MEDIA", ACCEL_REDIRECT="/protected-media/")
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download")
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{media.stored_name}"
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith('attachment; filename="clip.mp4"')
    assert response["ETag"] == f'"{media.sha256}"'
    # A current ETag is still answered here, without bothering nginx.
    assert api.get(f"/upload/files/{media.pk}/download", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.s3
def test_x_accel_redirect_is_ignored_with_s3(settings, s3_storages, api, video):
    app_settings(settings, "PERSONA_MEDIA", ACCEL_REDIRECT="/protected-media/")
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download")
    assert "X-Accel-Redirect" not in response
    assert body_of(response) == data


@pytest.mark.s3
def test_presigned_redirect_with_s3(settings, s3_storages, api, video):
    app_settings(settings, "PERSONA_MEDIA", PRESIGNED_REDIRECT=True)
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download")
    assert response.status_code == 302
    url = response["Location"]
    assert f"/persona-media/{media.stored_name}?" in url and "Signature=" in url
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:  # signature version 4
        assert query["X-Amz-Expires"] == ["300"]
    else:  # short-lived: PERSONA_MEDIA_PRESIGNED_SECONDS
        assert 0 < int(query["Expires"][0]) - time.time() <= 300
    with urllib.request.urlopen(url) as fetched:  # the signed link really works, unauthenticated
        assert fetched.read() == data
        assert fetched.headers["Content-Type"] == "video/mp4"
        assert fetched.headers["Content-Disposition"].startswith('attachment; filename="clip.mp4"')


def test_presigned_redirect_is_ignored_with_local_storage(settings, api, video):
    app_settings(settings, "PERSONA_MEDIA", PRESIGNED_REDIRECT=True)
    media, data = video
    response = api.get(f"/upload/files/{media.pk}/download")
    assert response.status_code == 200
    assert body_of(response) == data
