"""POST /upload/persona/{id}/image|video: accepted files, refusals, limits, names and storage layout."""

import hashlib
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import post_file, stored_bytes, stored_files
from testkit import damaged, videos
from testkit import images as I
from testkit import media as files
from testkit.details import assert_for_people
from testkit.params import on_backends

MIB = 1024 * 1024
LIMIT = 10 * MIB
UUID_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|mp4)$")
RESPONSE_FIELDS = {
    "id",
    "filename",
    "original_filename",
    "file_size",
    "mime_type",
    "media_type",
    "persona_id",
    "user_id",
    "description",
    "width",
    "height",
    "duration",
    "fps",
    "video_codec",
    "audio_codec",
    "bitrate",
    "sha256",
    "blurhash",
    "download_url",
    "preview_url",
    "moderation_status",
    "moderation_reason",
    "processing_status",
    "processing_error",
    "original_mime_type",
    "created_at",
    "updated_at",
}
# Fields whose values depend on the moment or the encoder (checked by their own tests).
VOLATILE = {
    "id": 0,
    "filename": "",
    "created_at": "",
    "updated_at": "",
    "download_url": "",
    "preview_url": "",
    "blurhash": "",
    "bitrate": 0,
}


@pytest.mark.parametrize(
    ("kind", "make", "filename", "mime", "ext", "size"),
    [
        ("image", lambda: files.jpeg(64, 48), "photo.jpg", "image/jpeg", "jpg", (64, 48, None, None, None)),
        ("image", lambda: files.jpeg(30, 20), "PHOTO.JPEG", "image/jpeg", "jpg", (30, 20, None, None, None)),
        ("image", lambda: files.png(40, 30, alpha=True), "picture.png", "image/png", "png", (40, 30, None, None, None)),
        (
            "video",
            files.real_mp4,
            "clip.mp4",
            "video/mp4",
            "mp4",
            (files.REAL_WIDTH, files.REAL_HEIGHT, 2.0, float(files.REAL_RATE), "h264"),
        ),
    ],
    ids=["jpeg", "jpeg-upper-case", "png", "mp4"],
)
def test_upload_is_stored_and_described(storage_backend, api, user, persona, kind, make, filename, mime, ext, size):
    data = make()
    response = post_file(api, persona.pk, kind, data, filename, description="Profile picture")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == RESPONSE_FIELDS
    assert UUID_NAME.match(body["filename"]) and body["filename"].endswith(f".{ext}")
    assert body | VOLATILE == VOLATILE | {
        "original_filename": filename,
        "file_size": len(data),
        "mime_type": mime,
        "media_type": kind,
        "persona_id": persona.pk,
        "user_id": user.pk,
        "description": "Profile picture",
        "width": size[0],
        "height": size[1],
        "duration": size[2],
        "fps": size[3],
        "video_codec": size[4],
        "audio_codec": None,
        "sha256": hashlib.sha256(data).hexdigest(),
        "moderation_status": "pending",
        "moderation_reason": "",
        "processing_status": "ready",
        "processing_error": None,
        "original_mime_type": mime,
    }
    assert len(body["blurhash"]) == 28  # 4x3 components
    assert (body["bitrate"] is None) == (kind == "image")
    assert response["Location"] == f"http://testserver/upload/files/{body['id']}"
    assert body["download_url"].startswith(f"http://testserver/upload/files/{body['id']}/download?sig=")
    assert body["preview_url"].startswith(f"http://testserver/upload/files/{body['id']}/preview?sig=")
    media = MediaFile.objects.get()
    assert media.stored_name == f"{user.pk}/{persona.pk}/{body['filename']}"
    assert stored_files() == sorted(media.stored_names)
    assert stored_bytes(media.stored_name) == data


@pytest.mark.parametrize("path", ["/upload/persona/{}/image", "/upload/persona/{}/image/"])
def test_both_path_forms_accept_the_upload(api, persona, path):
    response = api.post(path.format(persona.pk), {"file": SimpleUploadedFile("a.png", files.png())}, format="multipart")
    assert response.status_code == 201
    assert MediaFile.objects.count() == 1


def test_description_is_optional(upload, persona):
    response = upload(persona, "image")
    assert response.status_code == 201
    assert response.json()["description"] == ""


def test_description_of_exactly_1000_characters_is_kept(upload, persona):
    response = upload(persona, "image", description="é" * 1000)
    assert response.status_code == 201
    assert MediaFile.objects.get().description == "é" * 1000


# --- Refusals: status, code, and nothing left behind -----------------------------------------------


def _over_limit(data: bytes) -> bytes:
    """A valid file padded to one byte past the 10 MiB limit."""
    return data + bytes(LIMIT + 1 - len(data))


REFUSALS = [
    # (id, endpoint, bytes factory, file name, status, code)
    ("png-on-video-endpoint", "video", files.png, "a.png", 400, "unsupported_type"),
    ("mp4-on-image-endpoint", "image", files.real_mp4, "a.mp4", 400, "unsupported_type"),
    ("jpeg-named-png", "image", files.jpeg, "a.png", 400, "mime_mismatch"),
    ("png-named-jpg", "image", files.png, "a.jpg", 400, "mime_mismatch"),
    ("gif", "image", files.gif, "a.gif", 400, "unsupported_type"),
    ("gif-named-png", "image", files.gif, "a.png", 400, "unsupported_type"),
    ("webp-named-jpg", "image", files.webp, "a.jpg", 400, "mime_mismatch"),
    ("bmp-named-png", "image", files.bmp, "a.png", 400, "unsupported_type"),
    ("html-named-png", "image", lambda: files.HTML, "a.png", 400, "unsupported_type"),
    ("elf-named-jpg", "image", lambda: files.ELF, "a.jpg", 400, "unsupported_type"),
    ("pdf-named-png", "image", lambda: files.PDF, "a.png", 400, "unsupported_type"),
    ("html-named-mp4", "video", lambda: files.HTML, "a.mp4", 400, "unsupported_type"),
    ("elf-named-mp4", "video", lambda: files.ELF, "a.mp4", 400, "unsupported_type"),
    ("pdf-named-mp4", "video", lambda: files.PDF, "a.mp4", 400, "unsupported_type"),
    ("no-extension", "image", files.png, "picture", 400, "unsupported_type"),
    ("exe-after-png", "image", files.png, "a.png.exe", 400, "unsupported_type"),
    ("truncated-jpeg", "image", lambda: files.truncated(files.jpeg(400, 300)), "a.jpg", 400, "corrupt_file"),
    ("truncated-png", "image", lambda: files.truncated(files.png(400, 300)), "a.png", 400, "corrupt_file"),
    ("png-too-many-pixels", "image", lambda: files.png_header_only(9000, 9000), "a.png", 400, "image_too_large"),
    ("empty-image", "image", lambda: b"", "a.png", 400, "empty_file"),
    ("empty-video", "video", lambda: b"", "a.mp4", 400, "empty_file"),
    ("fake-ftyp-then-junk", "video", lambda: files.ftyp() + b"\xff" * 64, "a.mp4", 400, "corrupt_file"),
    (
        "moov-size-lies",
        "video",
        lambda: files.ftyp() + files.box(b"moov", files.mvhd() + files.trak(), size=10_000),
        "a.mp4",
        400,
        "corrupt_file",
    ),
    (
        "mdat-size-lies",
        "video",
        lambda: files.ftyp() + files.moov() + files.box(b"mdat", bytes(10), size=1 << 30),
        "a.mp4",
        400,
        "corrupt_file",
    ),
    ("truncated-mp4", "video", lambda: files.truncated(files.real_mp4(), 0.8), "a.mp4", 400, "corrupt_file"),
    (
        "quicktime-named-mp4",
        "video",
        lambda: files.mp4(major=b"qt  ", compatible=(b"qt  ",)),
        "a.mp4",
        400,
        "mime_mismatch",
    ),
    (
        "3gp-named-mp4",
        "video",
        lambda: files.mp4(major=b"3gp4", compatible=(b"isom", b"3gp4")),
        "a.mp4",
        400,
        "unsupported_type",
    ),
    (
        "m4a-named-mp4",
        "video",
        lambda: files.mp4(major=b"M4A ", movie=files.moov(files.trak(b"soun"))),
        "a.mp4",
        400,
        "unsupported_type",
    ),
    ("webm-named-mp4", "video", lambda: files.MKV, "a.mp4", 400, "mime_mismatch"),
    (
        "matroska-named-webm",
        "video",
        lambda: files.MKV.replace(b"webm", b"matroska"[:4], 1),
        "a.webm",
        400,
        "unsupported_type",
    ),
    ("mp4-named-mov", "video", files.real_mp4, "a.mov", 400, "mime_mismatch"),
    ("jpeg-on-video-endpoint", "video", files.jpeg, "a.jpg", 400, "unsupported_type"),
    ("image-over-10-mib", "image", lambda: _over_limit(files.jpeg()), "big.jpg", 413, "file_too_large"),
    ("video-over-10-mib", "video", lambda: _over_limit(files.real_mp4()), "big.mp4", 413, "file_too_large"),
]


# On S3 too: one refused by its type, one by decoding, one by its structure, one by its size.
S3_REFUSALS = {"jpeg-named-png", "truncated-jpeg", "moov-size-lies", "image-over-10-mib"}


@pytest.mark.parametrize(
    ("storage_backend", "kind", "make", "filename", "status", "code"),
    on_backends(REFUSALS, S3_REFUSALS),
    indirect=["storage_backend"],
)
def test_refused_upload_leaves_nothing(storage_backend, api, persona, kind, make, filename, status, code):
    response = post_file(api, persona.pk, kind, make(), filename)
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    assert response.json()["detail"]
    assert MediaFile.objects.count() == 0
    assert stored_files() == []


# Files that cost a decoder far more than their size (mediakit.bounds); the scan bomb held a worker for
# 50 s before and was then accepted. 10 s is a generous bound for a noisy machine: the refusal comes
# from counting the file's structure, before any decoder runs.
COSTLY = [
    pytest.param(lambda: I.scan_bomb(), "a.jpg", "progressive scans", id="jpeg-scan-bomb"),
    pytest.param(lambda: I.jpeg_segment_flood(2_000_000), "a.jpg", "segments", id="jpeg-segment-flood"),
    pytest.param(lambda: I.png_chunk_flood(800_000), "a.png", "chunks", id="png-chunk-flood"),
]


@pytest.mark.parametrize(("make", "filename", "words"), COSTLY)
def test_costly_images_are_refused_at_once_and_leave_nothing(storage_backend, api, persona, make, filename, words):
    started = time.monotonic()
    response = post_file(api, persona.pk, "image", make(), filename)

    assert time.monotonic() - started < 10
    assert (response.status_code, response.json()["code"]) == (400, "corrupt_file"), response.content
    assert words in response.json()["detail"]
    assert MediaFile.objects.count() == 0
    assert stored_files() == []


# Hostile files whose refusal used to carry our internals in `detail` (a class name, a repr of the
# upload object, a Pillow constant, Python escapes, our own refusal wrapped twice).
HOSTILE = [
    pytest.param("image", lambda: files.truncated(files.jpeg(400, 300)), "a.jpg", "corrupt_file", id="truncated-jpeg"),
    pytest.param(
        "image",
        lambda: damaged.cut_scan(damaged.jpeg(600, 400), 0.5),
        "a.jpg",
        "corrupt_file",
        id="jpeg-cut-short-then-eoi",
    ),
    pytest.param(
        "image", lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "a.jpg", "corrupt_file", id="jpeg-soi-then-junk"
    ),
    pytest.param("image", I.scan_bomb, "a.jpg", "corrupt_file", id="jpeg-scan-bomb"),
    pytest.param("image", I.ztxt_bomb, "a.png", "corrupt_file", id="png-ztxt-bomb"),
    pytest.param("image", I.text_memory_bomb, "a.png", "corrupt_file", id="png-text-memory-bomb"),
    pytest.param(
        "image", lambda: damaged.bad_idat_crc(damaged.png(300, 200, "RGBA")), "a.png", "corrupt_file", id="png-bad-crc"
    ),
    pytest.param(
        "image", lambda: I.raw_png(300, 300, idat=b"not zlib at all"), "a.png", "corrupt_file", id="png-bad-zlib"
    ),
    pytest.param("image", lambda: files.png_header_only(300, 300), "a.png", "corrupt_file", id="png-header-only"),
    pytest.param("video", videos.without_codec, "a.mp4", "unsupported_codec", id="track-without-a-codec"),
    pytest.param(
        "video", lambda: videos.scrambled(videos.encode(frames=8)), "a.mp4", "corrupt_file", id="garbage-stream"
    ),
    pytest.param("video", lambda: files.truncated(files.real_mp4(), 0.8), "a.mp4", "corrupt_file", id="truncated-mp4"),
    pytest.param("video", lambda: files.mp4(major=b"\0\0\0\0"), "a.mp4", "unsupported_type", id="nul-major-brand"),
    pytest.param("video", lambda: files.ftyp() + b"\xff" * 64, "a.mp4", "corrupt_file", id="ftyp-then-junk"),
    pytest.param(
        "video",
        lambda: files.ftyp() + files.box(b"mo\x00v", bytes(8)),
        "a.mp4",
        "corrupt_file",
        id="box-named-with-a-nul",
    ),
]


@pytest.mark.parametrize(("kind", "make", "filename", "code"), HOSTILE)
def test_refusals_of_hostile_files_say_what_is_wrong_in_words_for_people(api, persona, kind, make, filename, code):
    response = post_file(api, persona.pk, kind, make(), filename)

    assert (response.status_code, response.json()["code"]) == (400, code), response.content
    assert_for_people(response.json()["detail"])
    assert MediaFile.objects.count() == 0
    assert stored_files() == []


def test_exactly_10_mib_is_accepted(api, persona):
    data = files.real_mp4()
    data += files.box(b"free", bytes(LIMIT - len(data) - 8))
    assert len(data) == LIMIT
    response = post_file(api, persona.pk, "video", data, "exact.mp4")
    assert response.status_code == 201, response.content
    assert response.json()["file_size"] == LIMIT


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("long-description", 400, "max_length"),
        ("other-users-persona", 404, "not_found"),
        ("missing-persona", 404, "not_found"),
        ("no-auth", 401, "not_authenticated"),
        ("forged-token", 401, "token_not_valid"),
        ("missing-file-field", 400, "missing_file"),
        ("file-in-other-field", 400, "missing_file"),
        ("two-files", 400, "multiple_files"),
        ("json-body", 415, "unsupported_media_type"),
    ],
)
def test_refused_request_leaves_nothing(storage_backend, api, persona, make_user, case, status, code):
    url = f"/upload/persona/{persona.pk}/image"
    form = {"file": SimpleUploadedFile("a.png", files.png())}
    client = api
    if case == "long-description":
        form["description"] = "x" * 1001
    elif case == "other-users-persona":
        url = f"/upload/persona/{Persona.objects.create(user=make_user(), name='B').pk}/image"
    elif case == "missing-persona":
        url = f"/upload/persona/{persona.pk + 1000}/image"
    elif case == "no-auth":
        client = APIClient()
    elif case == "forged-token":
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    elif case == "missing-file-field":
        form = {"description": "no file"}
    elif case == "file-in-other-field":
        form = {"upload": form["file"]}
    elif case == "two-files":
        form["file"] = [SimpleUploadedFile("a.png", files.png()), SimpleUploadedFile("b.png", files.png())]
    if case == "json-body":
        response = client.post(url, {"file": "aGVsbG8="}, format="json")
    else:
        response = client.post(url, form, format="multipart")
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert MediaFile.objects.count() == 0
    assert stored_files() == []


# --- The limit is enforced while the body arrives ------------------------------------------------------


class EndlessBody:
    """wsgi.input of a multipart body whose file part never ends; counts the bytes handed out."""

    boundary = "endless-boundary"

    def __init__(self) -> None:
        self.head = (
            f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n"
            "Content-Type: video/mp4\r\n\r\n"
        ).encode() + files.real_mp4()
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else size
        start, self.sent = self.sent, self.sent + size
        head = self.head[start : start + size]
        return head + bytes(size - len(head))

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _stream_post(client, url: str, body: EndlessBody, content_length: int):
    return client.generic(
        "POST",
        url,
        content_type=f"multipart/form-data; boundary={body.boundary}",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(content_length)},
    )


def test_a_1_gib_body_is_refused_before_it_is_read(api, persona):
    body = EndlessBody()
    response = _stream_post(api, f"/upload/persona/{persona.pk}/video", body, 1 << 30)
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")
    assert body.sent == 0
    assert stored_files() == [] and MediaFile.objects.count() == 0


def test_file_data_past_the_limit_stops_the_reading(api, persona):
    # A body just small enough to pass the Content-Length test, whose file part alone is too large.
    body = EndlessBody()
    response = _stream_post(api, f"/upload/persona/{persona.pk}/video", body, LIMIT + 32 * 1024)
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")
    assert LIMIT < body.sent <= LIMIT + 256 * 1024
    assert stored_files() == [] and MediaFile.objects.count() == 0


def test_another_users_persona_is_refused_before_the_body_is_read(api, make_user):
    theirs = Persona.objects.create(user=make_user(), name="B")
    body = EndlessBody()
    response = _stream_post(api, f"/upload/persona/{theirs.pk}/video", body, LIMIT)
    assert response.status_code == 404
    assert body.sent == 0


# --- Original names -------------------------------------------------------------------------------------


def _raw_multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body naming the file exactly as given (the test client would clean the name itself)."""
    boundary = "raw-boundary"
    body = (
        (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/evil.png", "evil.png"),
        ("C:\\Users\\me\\Pictures\\pic.png", "pic.png"),
        ("photo\u202egnp.png", "photognp.png"),
        ("zero\u200bwidth.png", "zerowidth.png"),
        ("résumé 照片.png", "résumé 照片.png"),
        ("x" * 300 + ".png", "x" * 251 + ".png"),
        ("  spaced.png  ", "spaced.png"),
    ],
)
def test_original_filename_is_sanitised(api, user, persona, sent, kept):
    body, content_type = _raw_multipart(sent, files.png())
    response = api.generic("POST", f"/upload/persona/{persona.pk}/image", body, content_type)
    assert response.status_code == 201, response.content
    assert response.json()["original_filename"] == kept
    media = MediaFile.objects.get()
    assert media.original_filename == kept
    assert media.stored_name == f"{user.pk}/{persona.pk}/{media.filename}" and UUID_NAME.match(media.filename)


def test_cookie_authenticated_upload_and_the_same_site_rule(user, persona):
    client = APIClient()
    client.cookies["access_token"] = str(AccessToken.for_user(user))
    assert post_file(client, persona.pk, "image", files.png(), "a.png").status_code == 201
    response = client.post(
        f"/upload/persona/{persona.pk}/image",
        {"file": SimpleUploadedFile("b.png", files.png(65))},
        format="multipart",
        HTTP_ORIGIN="https://elsewhere.example",
    )
    assert (response.status_code, response.json()["code"]) == (403, "cross_site_request")
    assert MediaFile.objects.count() == 1 and stored_files() == sorted(MediaFile.objects.get().stored_names)
