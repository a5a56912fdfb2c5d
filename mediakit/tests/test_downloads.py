"""stored_file_response: streamed bytes, ranges, conditional requests and file-name headers."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import RequestFactory

from mediakit.downloads import CHUNK_SIZE, content_disposition, read_range, stored_file_response

# 300 KiB of every byte value: several 64 KiB chunks, and every offset tells its own byte apart.
PAYLOAD = bytes(range(256)) * 1200
SIZE = len(PAYLOAD)
ETAG = "abc123"


@pytest.fixture
def stored(storage_backend) -> str:
    """The payload saved in the private media storage (local folder or S3)."""
    return storages["persona_media"].save("1/2/payload.bin", ContentFile(PAYLOAD))


def respond(name: str, method: str = "get", filename: str = "payload.bin", **headers):
    request = getattr(RequestFactory(), method)("/download", headers=headers)
    return stored_file_response(
        request,
        storages["persona_media"],
        name,
        size=SIZE,
        content_type="application/octet-stream",
        etag=ETAG,
        filename=filename,
    )


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_whole_file_is_streamed_with_headers(stored):
    response = respond(stored)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == "attachment; filename=\"payload.bin\"; filename*=UTF-8''payload.bin"
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == PAYLOAD
    assert max(len(chunk) for chunk in chunks) <= CHUNK_SIZE
    assert response["Content-Length"] == str(SIZE)
    assert response["ETag"] == f'"{ETAG}"'
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=0-99", 0, 100),
        ("bytes=70000-140000", 70000, 140001),  # across chunk boundaries
        ("bytes=1000-", 1000, SIZE),  # open-ended
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE),
        ("bytes=-500", SIZE - 500, SIZE),  # suffix
        (f"bytes=-{SIZE * 2}", 0, SIZE),  # a suffix longer than the file is all of it
        (f"bytes=100-{SIZE * 10}", 100, SIZE),  # an end past the file is clamped
    ],
)
def test_single_range_gets_206(stored, header, start, stop):
    response = respond(stored, Range=header)
    assert response.status_code == 206
    assert body_of(response) == PAYLOAD[start:stop]
    assert response["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert response["Content-Length"] == str(stop - start)


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}"])
def test_unsatisfiable_range_gets_416(stored, header):
    response = respond(stored, Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert json.loads(response.content)["code"] == "range_not_satisfiable"


@pytest.mark.parametrize(
    "header",
    ["bytes=0-1,5-6", "bytes=0-99,-100", "bytes=5-2", "bytes=abc", "items=0-10", "bytes=-0", ""],
    ids=["two-ranges", "range-and-suffix", "backwards", "junk", "other-unit", "empty-suffix", "empty"],
)
def test_several_or_malformed_ranges_get_the_whole_file(stored, header):
    response = respond(stored, Range=header)
    assert response.status_code == 200
    assert body_of(response) == PAYLOAD
    assert "Content-Range" not in response


@pytest.mark.parametrize(
    ("if_range", "status"),
    [(f'"{ETAG}"', 206), ('"stale"', 200), (f'W/"{ETAG}"', 200), ("Wed, 21 Oct 2015 07:28:00 GMT", 200)],
)
def test_if_range(stored, if_range, status):
    response = respond(stored, Range="bytes=0-9", **{"If-Range": if_range})
    assert response.status_code == status
    assert body_of(response) == (PAYLOAD[:10] if status == 206 else PAYLOAD)


@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [(f'"{ETAG}"', 304), (f'W/"{ETAG}"', 304), (f'"other", "{ETAG}"', 304), ("*", 304), ('"other"', 200)],
)
def test_if_none_match(stored, if_none_match, status):
    response = respond(stored, **{"If-None-Match": if_none_match})
    assert response.status_code == status
    if status == 304:
        assert response["ETag"] == f'"{ETAG}"'
        assert not response.content and "Content-Type" not in response


def test_if_none_match_wins_over_range(stored):
    assert respond(stored, Range="bytes=0-9", **{"If-None-Match": f'"{ETAG}"'}).status_code == 304


def test_head_has_the_headers_and_no_body(stored):
    response = respond(stored, "head", Range="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Length"] == "10" and response.content == b""


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("clip.mp4", "attachment; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4"),
        ("résumé.png", "attachment; filename=\"resume.png\"; filename*=UTF-8''r%C3%A9sum%C3%A9.png"),
        ("照片.jpg", "attachment; filename=\".jpg\"; filename*=UTF-8''%E7%85%A7%E7%89%87.jpg"),
        ("照片", "attachment; filename=\"download\"; filename*=UTF-8''%E7%85%A7%E7%89%87"),
        ('say "hi"\\.png', "attachment; filename=\"say hi.png\"; filename*=UTF-8''say%20%22hi%22%5C.png"),
        ("a;b,c.png", "attachment; filename=\"a;b,c.png\"; filename*=UTF-8''a%3Bb%2Cc.png"),
    ],
)
def test_content_disposition(filename, expected):
    assert content_disposition(filename) == expected


def test_unicode_filename_in_the_response(stored):
    response = respond(stored, filename="Grüße 🎬.mp4")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Grue .mp4\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%F0%9F%8E%AC.mp4"
    )


def test_inline_disposition():
    assert content_disposition("a.png", "inline").startswith('inline; filename="a.png"')


def test_read_range_reads_only_the_range(stored):
    storage = storages["persona_media"]
    assert b"".join(read_range(storage, stored, 5, 5)) == b""
    assert b"".join(read_range(storage, stored, 65530, 65550)) == PAYLOAD[65530:65550]


def test_a_missing_file_raises_before_any_byte_is_sent(storage_backend):
    with pytest.raises(FileNotFoundError):
        respond("1/2/never-stored.bin")
