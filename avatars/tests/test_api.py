"""POST, GET and DELETE /api/v1/profile/me/avatar: bodies, codes, rows and stored files."""

import re
import time

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from avatars.models import Avatar, AvatarVariant
from avatars.tests.support import SIZES, URL, name_from_url, post_avatar, stored_bytes, stored_image, stored_names
from mediakit.previews import blurhash
from testkit import damaged
from testkit import images as I
from testkit.appsettings import app_settings
from testkit.details import assert_for_people
from testkit.params import on_backends

pytestmark = pytest.mark.django_db

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def sides(width: int, height: int) -> list[int]:
    return [min(target, width, height) for target in (64, 128, 256, 512, 1024)]


# (bytes, detected upload format, stored width x height, variant format)
FORMATS = [
    pytest.param(lambda: I.photo_jpeg(1200, 900), "JPEG", (1200, 900), "JPEG", id="jpeg"),
    pytest.param(lambda: I.photo_jpeg(2000, 1500), "JPEG", (2000, 1500), "JPEG", id="jpeg-large"),
    pytest.param(lambda: I.png_rgba(700, 500), "PNG", (700, 500), "WEBP", id="png-alpha"),
    pytest.param(lambda: I.webp(600, 200), "WEBP", (600, 200), "JPEG", id="webp"),
    pytest.param(lambda: I.webp(400, 400, alpha=True), "WEBP", (400, 400), "WEBP", id="webp-alpha"),
    pytest.param(lambda: I.animated("GIF", size=(200, 260)), "GIF", (200, 260), "JPEG", id="gif-animated"),
    pytest.param(lambda: I.cmyk_jpeg(size=(300, 200)), "JPEG", (300, 200), "JPEG", id="cmyk-jpeg"),
    pytest.param(lambda: I.greyscale("JPEG", 300, 300), "JPEG", (300, 300), "JPEG", id="greyscale"),
    pytest.param(lambda: I.png16_rgb(200, 200), "PNG", (200, 200), "JPEG", id="png-16-bit"),
    pytest.param(lambda: I.palette_png_trns(200, 200), "PNG", (200, 200), "WEBP", id="palette-png-trns"),
]


@pytest.mark.parametrize(
    ("storage_backend", "factory", "upload_format", "dimensions", "out"),
    on_backends(FORMATS, {"jpeg", "png-alpha"}),  # on S3: an opaque variant set and a transparent one
    indirect=["storage_backend"],
)
def test_upload_stores_five_square_variants(storage_backend, api, user, factory, upload_format, dimensions, out):
    data = factory()
    # A misleading name and Content-Type: the bytes alone decide.
    response = post_avatar(api, data, name="avatar.gif", content_type="text/plain")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["message"] == "Avatar uploaded and processed successfully"
    assert body["metadata"] == {
        "original_size": len(data),
        "original_dimensions": "{}x{}".format(*dimensions),
        "format": upload_format,
    }
    assert list(body["variants"]) == SIZES
    assert body["avatar_url"] == body["variants"]["medium"]

    avatar = Avatar.objects.get(user=user)
    assert (avatar.original_bytes, avatar.original_width, avatar.original_height, avatar.original_format) == (
        len(data),
        *dimensions,
        upload_format,
    )
    variants = {v.label: v for v in avatar.variants.all()}
    assert list(variants) == SIZES
    assert stored_names() == {v.stored_name for v in variants.values()}
    storage = storages["avatars"]
    for size, side in zip(SIZES, sides(*dimensions)):
        variant = variants[size]
        assert re.fullmatch(rf"{size}/avatar_{user.pk}_[0-9a-f]{{16}}_{size}\.{EXTENSIONS[out]}", variant.stored_name)
        assert body["variants"][size] == storage.url(variant.stored_name) == variant.url
        assert (variant.width, variant.height, variant.content_type) == (side, side, CONTENT_TYPES[out])
        assert variant.size_bytes == len(stored_bytes(variant.stored_name))
        im = stored_image(variant.stored_name)
        assert (im.format, im.size) == (out, (side, side))

    # The BlurHash is the medium variant's (4x3 components: 28 characters); the stored JPEG differs
    # from the pixels it was taken from by its encoding noise only.
    assert body["blurhash"] == avatar.blurhash and len(body["blurhash"]) == 28
    assert I.blurhash_distance(body["blurhash"], blurhash(stored_image(variants["medium"].stored_name))) < 4

    user.refresh_from_db()
    assert user.avatar_url == body["avatar_url"]
    assert api.get("/api/v1/profile/me").json()["avatar_url"] == body["avatar_url"]


def test_local_urls_are_under_the_base_url_and_served(api, user):
    body = post_avatar(api, I.photo_jpeg(600, 400)).json()
    for size, url in body["variants"].items():
        assert url.startswith("/files/avatars/" + size + "/avatar_")
        response = api.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored_bytes(name_from_url(url))


def test_animated_gif_gives_its_first_frame(api):
    body = post_avatar(api, I.animated("GIF", colours=(I.RED, I.BLUE, I.GREEN))).json()
    im = stored_image(name_from_url(body["variants"]["large"])).convert("RGB")
    assert all(abs(a - b) <= 8 for a, b in zip(im.getpixel((100, 100)), I.RED))


def close(actual, expected, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(actual, expected))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(api, orientation):
    data = I.jpeg_with_metadata(I.quadrants(400, 300), orientation)
    body = post_avatar(api, data).json()

    stored = (400, 300) if orientation <= 4 else (300, 400)  # 5-8 store the picture on its side
    assert body["metadata"]["original_dimensions"] == "{}x{}".format(*stored)
    im = stored_image(name_from_url(body["variants"]["large"])).convert("RGB")
    assert im.size == (300, 300)
    corners = {"top_left": (40, 40), "top_right": (260, 40), "bottom_left": (40, 260), "bottom_right": (260, 260)}
    for corner, xy in corners.items():
        assert close(im.getpixel(xy), I.QUADRANTS[corner]), (corner, im.getpixel(xy))


METADATA_INPUTS = [
    pytest.param(lambda: I.jpeg_with_metadata(I.photo(400, 400), 6), id="jpeg-exif-gps-xmp-iptc-comment"),
    pytest.param(I.jpeg_with_comment, id="jpeg-comment"),
    pytest.param(lambda: I.png_with_text("RGB"), id="png-text-chunks"),
    pytest.param(lambda: I.png_with_text("RGBA"), id="png-alpha-text-chunks"),
    pytest.param(lambda: I.webp(300, 300), id="webp-exif-xmp"),
    pytest.param(lambda: I.webp(300, 300, alpha=True), id="webp-alpha-exif-xmp"),
    pytest.param(lambda: I.animated("GIF"), id="gif-comment"),
]


@pytest.mark.parametrize("factory", METADATA_INPUTS)
def test_no_metadata_survives_in_any_stored_variant(api, factory):
    assert post_avatar(api, factory()).status_code == 200
    names = stored_names()
    assert len(names) == 5
    for name in names:
        data = stored_bytes(name)
        assert I.SECRET not in data, name  # also the marker planted in the GPS IFD
        im = stored_image(name)
        exif = im.getexif()
        assert len(exif) == 0 and not exif.get_ifd(0x8825), name
        assert not {"exif", "comment", "xmp", "XML:com.adobe.xmp", "photoshop"} & set(im.info), (name, im.info.keys())
        assert not getattr(im, "text", {}), name


def padded_jpeg(total: int) -> bytes:
    """A valid JPEG of exactly `total` bytes (zeros after its end marker)."""
    data = I.photo_jpeg(300, 300)
    assert len(data) <= total
    return data + bytes(total - len(data))


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        pytest.param(0, 200, None, id="exactly-the-limit"),
        pytest.param(1, 400, "file_too_large", id="one-byte-over"),
        pytest.param(300 * 1024, 400, "file_too_large", id="far-over"),
    ],
)
def test_byte_limit(api, settings, extra, status, code):
    app_settings(settings, "AVATARS", MAX_UPLOAD_BYTES=100 * 1024)
    response = post_avatar(api, padded_jpeg(100 * 1024 + extra))
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
        assert not Avatar.objects.exists() and stored_names() == set()


# One case per refusal code over HTTP (every hostile file is refused at the pure level, in
# test_imaging_refusals): the API answers the code, and leaves no row and no file, locally and on S3.
REFUSALS = [
    pytest.param(lambda: b"", "empty_file", id="empty"),
    pytest.param(lambda: I.HTML, "unsupported_type", id="html-renamed"),
    pytest.param(lambda: I.truncated(I.photo_jpeg(300, 300)), "corrupt_file", id="truncated-jpeg"),
    pytest.param(lambda: I.png_bomb(60000, 60000), "image_too_large", id="png-pixel-bomb"),
    pytest.param(lambda: I.photo_jpeg(99, 300), "image_too_small", id="too-small"),
]


@pytest.mark.parametrize(("factory", "code"), REFUSALS)
def test_refused_uploads_leave_nothing(storage_backend, api, factory, code):
    response = post_avatar(api, factory(), name="avatar.jpg", content_type="image/jpeg")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert not Avatar.objects.exists() and not AvatarVariant.objects.exists()
    assert stored_names() == set()


# Files that cost a decoder far more than their size (mediakit.bounds); each held a worker for
# seconds before (the scan bomb: 33 s, then it was accepted). 10 s is a generous bound for a noisy
# machine: the refusal comes from counting the file's structure, before any decoder runs.
COSTLY = [
    pytest.param(lambda: I.scan_bomb(), "avatar.jpg", "corrupt_file", "progressive scans", id="jpeg-scan-bomb"),
    pytest.param(
        lambda: I.jpeg_segment_flood(1_000_000), "avatar.jpg", "corrupt_file", "segments", id="jpeg-segment-flood"
    ),
    pytest.param(lambda: I.png_chunk_flood(400_000), "avatar.png", "corrupt_file", "chunks", id="png-chunk-flood"),
    pytest.param(lambda: I.gif_block_flood(1_500_000), "avatar.gif", "corrupt_file", "blocks", id="gif-block-flood"),
    pytest.param(lambda: I.gif_frame_flood(300_000), "avatar.gif", "image_too_large", "frames", id="gif-frame-flood"),
    pytest.param(
        lambda: I.webp_frame_flood(100_000), "avatar.webp", "image_too_large", "frames", id="webp-frame-flood"
    ),
]


@pytest.mark.parametrize(("factory", "name", "code", "words"), COSTLY)
def test_costly_files_are_refused_at_once_and_leave_nothing(api, factory, name, code, words):
    data = factory()
    assert len(data) <= 5 * 1024 * 1024  # under the avatar byte limit: the decoder is what is at stake

    started = time.monotonic()
    response = post_avatar(api, data, name=name, content_type="application/octet-stream")

    assert time.monotonic() - started < 10
    assert (response.status_code, response.json()["code"]) == (400, code), response.content
    assert words in response.json()["detail"]
    assert not Avatar.objects.exists() and not AvatarVariant.objects.exists()
    assert stored_names() == set()


# Hostile files whose refusal used to carry our internals in `detail` (a class name, a repr of the
# upload object, a Pillow constant, our own refusal wrapped twice): now words about the file.
HOSTILE = [
    pytest.param(lambda: I.truncated(I.photo_jpeg(300, 300)), "a.jpg", "corrupt_file", id="truncated-jpeg"),
    pytest.param(
        lambda: damaged.cut_scan(damaged.jpeg(600, 400), 0.5), "a.jpg", "corrupt_file", id="jpeg-cut-short-then-eoi"
    ),
    pytest.param(lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "a.jpg", "corrupt_file", id="jpeg-soi-then-junk"),
    pytest.param(I.jpeg_header_only, "a.jpg", "corrupt_file", id="jpeg-header-only"),
    pytest.param(
        lambda: damaged.claim_height(damaged.jpeg(600, 400), 3000),
        "a.jpg",
        "corrupt_file",
        id="jpeg-promising-more-rows",
    ),
    pytest.param(I.scan_bomb, "a.jpg", "corrupt_file", id="jpeg-scan-bomb"),
    pytest.param(I.ztxt_bomb, "a.png", "corrupt_file", id="png-ztxt-bomb"),
    pytest.param(lambda: I.ztxt_bomb(kind=b"iTXt"), "a.png", "corrupt_file", id="png-itxt-bomb"),
    pytest.param(I.text_memory_bomb, "a.png", "corrupt_file", id="png-text-memory-bomb"),
    pytest.param(I.png_header_only, "a.png", "corrupt_file", id="png-header-only"),
    pytest.param(
        lambda: damaged.bad_idat_crc(damaged.png(300, 200, "RGBA")), "a.png", "corrupt_file", id="png-bad-crc"
    ),
    pytest.param(lambda: I.raw_png(300, 300, idat=b"not zlib at all"), "a.png", "corrupt_file", id="png-bad-zlib"),
    pytest.param(lambda: I.truncated(I.png_rgba()), "a.png", "corrupt_file", id="truncated-png"),
    pytest.param(lambda: I.png_bomb(60000, 60000), "a.png", "image_too_large", id="png-pixel-bomb"),
    pytest.param(
        lambda: I.truncated(I.encode(I.photo(300, 300).quantize(), "GIF")), "a.gif", "corrupt_file", id="truncated-gif"
    ),
    pytest.param(lambda: b"GIF89a" + bytes(range(256)) * 4, "a.gif", "corrupt_file", id="gif-signature-then-junk"),
    pytest.param(lambda: I.truncated(I.webp(metadata=False)), "a.webp", "corrupt_file", id="truncated-webp"),
    pytest.param(lambda: I.webp_with_size(60000, 60000), "a.webp", "image_too_large", id="webp-claiming-60000"),
]


@pytest.mark.parametrize(("factory", "name", "code"), HOSTILE)
def test_refusals_of_hostile_files_say_what_is_wrong_in_words_for_people(api, factory, name, code):
    response = post_avatar(api, factory(), name=name, content_type="application/octet-stream")

    assert (response.status_code, response.json()["code"]) == (400, code), response.content
    assert_for_people(response.json()["detail"])
    assert not Avatar.objects.exists() and stored_names() == set()


def two_files() -> dict:
    return {
        "file": [
            SimpleUploadedFile("a.jpg", I.photo_jpeg(200, 200)),
            SimpleUploadedFile("b.jpg", I.photo_jpeg(200, 200)),
        ]
    }


@pytest.mark.parametrize(
    ("send", "code"),
    [
        pytest.param(
            lambda c: c.post(URL, {"image": SimpleUploadedFile("a.jpg", I.photo_jpeg(200, 200))}, format="multipart"),
            "missing_file",
            id="other-field",
        ),
        pytest.param(
            lambda c: c.post(URL, {"file": "not a file"}, format="multipart"), "missing_file", id="text-field"
        ),
        pytest.param(lambda c: c.post(URL), "missing_file", id="no-body"),
        pytest.param(lambda c: c.post(URL, {"file": "x"}, format="json"), "missing_file", id="json-body"),
        pytest.param(lambda c: c.post(URL, two_files(), format="multipart"), "multiple_files", id="two-files"),
        pytest.param(
            lambda c: c.post(
                URL,
                {
                    "file": SimpleUploadedFile("a.jpg", I.photo_jpeg(200, 200)),
                    "other": SimpleUploadedFile("b.jpg", I.photo_jpeg(200, 200)),
                },
                format="multipart",
            ),
            "multiple_files",
            id="two-fields",
        ),
    ],
)
def test_malformed_requests(api, send, code):
    response = send(api)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Avatar.objects.exists() and stored_names() == set()


def test_more_files_than_a_request_may_carry_is_a_sentence_not_a_setting(api):
    files = {f"f{i}": SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(6)}  # DATA_UPLOAD_MAX_NUMBER_FILES is 5
    response = api.post(URL, files, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "too_many_parts" and "DATA_UPLOAD" not in body["detail"]
    assert_for_people(body["detail"])
    assert not Avatar.objects.exists() and stored_names() == set()


@pytest.mark.parametrize("path", [URL, URL + "/"])
def test_every_method_answers_with_and_without_slash(api, path):
    assert post_avatar(api, I.photo_jpeg(300, 300), path=path).status_code == 200
    assert api.get(path).status_code == 200
    assert api.delete(path).status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_anonymous_requests_are_401(method):
    response = getattr(APIClient(), method)(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_refused_upload_keeps_the_current_avatar(api, user, make_avatar):
    avatar = make_avatar(user)
    names = stored_names()
    assert post_avatar(api, I.TEXT).status_code == 400
    assert Avatar.objects.get() == avatar and stored_names() == names
    user.refresh_from_db()
    assert user.avatar_url == avatar.urls["medium"]


def test_large_uploads_spooled_to_disk_are_processed(api, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000  # every upload goes to a temporary file
    response = post_avatar(api, I.photo_jpeg(1200, 900))
    assert response.status_code == 200
    assert response.json()["metadata"]["original_dimensions"] == "1200x900"


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        pytest.param(None, 200, id="no-origin"),
        pytest.param("http://testserver", 200, id="own-origin"),
        pytest.param("https://evil.example", 403, id="cross-site"),
    ],
)
def test_cookie_authenticated_upload(make_user, origin, status):
    make_user(email="cookie@example.com", password="Correct-Horse-42")
    client = APIClient()
    login = client.post(
        "/api/v1/auth/login", {"email": "cookie@example.com", "password": "Correct-Horse-42"}, format="json"
    )
    assert login.status_code == 200 and "access_token" in client.cookies
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    response = client.post(
        URL, {"file": SimpleUploadedFile("a.jpg", I.photo_jpeg(200, 200))}, format="multipart", **extra
    )
    assert response.status_code == status
    assert Avatar.objects.exists() == (status == 200)
