"""HEIC/HEIF, WebP and AVIF on the image endpoint: HEIC stored as an upright JPEG without metadata,
the others byte for byte; every earlier refusal holds for every format."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mediakit.imaging import Limits
from mediakit.rejections import Rejected
from mediakit.stills import as_jpeg
from persona_media.models import MediaFile
from persona_media.tests.helpers import post_file, stored_bytes, stored_files
from testkit import images as I
from testkit import phone

pytestmark = pytest.mark.django_db


def corners(im: Image.Image) -> dict:
    w, h = im.size
    return {
        name: im.getpixel((int(fx * (w - 1)), int(fy * (h - 1))))
        for name, (fx, fy) in {
            "top_left": (0.1, 0.1),
            "top_right": (0.9, 0.1),
            "bottom_left": (0.1, 0.9),
            "bottom_right": (0.9, 0.9),
        }.items()
    }


def upright(im: Image.Image) -> bool:
    return all(
        all(abs(a - b) <= 40 for a, b in zip(pixel, I.QUADRANTS[name]))
        for name, pixel in corners(im.convert("RGB")).items()
    )


@pytest.mark.parametrize(
    ("orientation", "backend"), [(1, "local"), (8, "local"), (3, "local"), pytest.param(6, "s3", marks=pytest.mark.s3)]
)
def test_a_heic_is_stored_as_an_upright_jpeg_without_metadata(request, api, persona, orientation, backend):
    if backend == "s3":
        request.getfixturevalue("s3_storages")
    data = phone.heic(I.quadrants(400, 300), orientation)
    response = post_file(api, persona.pk, "image", data, "IMG_0001.HEIC")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["mime_type"], body["original_mime_type"], body["processing_status"]) == (
        "image/jpeg",
        "image/heic",
        "ready",
    )
    assert body["filename"].endswith(".jpg") and body["original_filename"] == "IMG_0001.HEIC"
    media = MediaFile.objects.get()
    stored = stored_bytes(media.stored_name)
    assert (body["file_size"], body["sha256"]) == (len(stored), hashlib.sha256(stored).hexdigest())
    jpeg = Image.open(io.BytesIO(stored))
    assert (jpeg.format, jpeg.size, (body["width"], body["height"])) == ("JPEG", (400, 300), (400, 300))
    assert upright(jpeg)
    assert not jpeg.getexif() and not jpeg.info.get("icc_profile") and b"CRITVUE-SECRET" not in stored
    assert not set(jpeg.info) & {"exif", "xmp", "comment", "photoshop"}
    download = api.get(f"/upload/files/{body['id']}/download")
    assert download["Content-Type"] == "image/jpeg" and b"".join(download.streaming_content) == stored
    assert stored_files() == sorted(media.stored_names)


def test_the_same_heic_again_is_a_duplicate_judged_by_the_uploaded_bytes(api, persona):
    data = phone.heic()
    first = post_file(api, persona.pk, "image", data, "a.heic")
    again = post_file(api, persona.pk, "image", data, "b.heif")
    assert (again.status_code, again.json()["code"], again.json()["existing_id"]) == (
        409,
        "duplicate_file",
        first.json()["id"],
    )


@pytest.mark.parametrize(
    ("make", "name", "mime"),
    [
        pytest.param(lambda: I.webp(300, 200), "photo.webp", "image/webp", id="webp"),
        pytest.param(lambda: I.webp(300, 200, alpha=True), "sticker.webp", "image/webp", id="webp-alpha"),
        pytest.param(phone.avif, "photo.avif", "image/avif", id="avif"),
    ],
)
def test_webp_and_avif_are_stored_as_uploaded(api, persona, make, name, mime):
    data = make()
    response = post_file(api, persona.pk, "image", data, name)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["mime_type"], body["original_mime_type"], body["file_size"]) == (mime, mime, len(data))
    media = MediaFile.objects.get()
    assert stored_bytes(media.stored_name) == data
    preview = Image.open(io.BytesIO(stored_bytes(media.preview_name)))
    assert preview.format in ("JPEG", "WEBP") and not preview.getexif()


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        pytest.param(lambda: I.truncated(phone.heic()), "a.heic", "corrupt_file", id="truncated-heic"),
        pytest.param(lambda: I.truncated(phone.avif()), "a.avif", "corrupt_file", id="truncated-avif"),
        pytest.param(lambda: I.truncated(I.webp(300, 200)), "a.webp", "corrupt_file", id="truncated-webp"),
        pytest.param(phone.heic, "a.avif", "mime_mismatch", id="heic-named-avif"),
        pytest.param(phone.avif, "a.heic", "mime_mismatch", id="avif-named-heic"),
        pytest.param(phone.heic, "a.jpg", "mime_mismatch", id="heic-named-jpg"),
        pytest.param(lambda: I.webp(300, 200), "a.avif", "mime_mismatch", id="webp-named-avif"),
        pytest.param(lambda: I.webp_with_size(16383, 16383), "a.webp", "image_too_large", id="webp-pixel-bomb"),
        pytest.param(phone.heic, "a.heic.exe", "unsupported_type", id="heic-with-another-extension"),
    ],
)
def test_every_earlier_refusal_holds_for_the_new_formats(api, persona, make, name, code):
    response = post_file(api, persona.pk, "image", make(), name)
    assert (response.status_code, response.json()["code"]) == (400, code), response.content
    assert response.json()["detail"] and not MediaFile.objects.exists() and stored_files() == []


def test_a_heic_past_the_limits_is_refused_before_any_pixel_is_decoded():
    with pytest.raises(Rejected) as refused:
        as_jpeg(io.BytesIO(phone.heic(I.quadrants(400, 300))), "HEIF", Limits(max_side=399), 640)
    assert refused.value.code == "image_too_large"


@pytest.mark.parametrize(("make", "fmt"), [(phone.heic, "HEIF"), (phone.avif, "AVIF")], ids=["heic", "avif"])
def test_the_avatar_endpoint_takes_them_too(api, make, fmt):
    upload = SimpleUploadedFile("me", make(I.quadrants(400, 300)), content_type="application/octet-stream")
    response = api.post("/api/v1/profile/me/avatar", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["metadata"]["format"] == fmt and body["metadata"]["original_dimensions"] == "400x300"
    assert body["variants"]["medium"].endswith(".jpg")
