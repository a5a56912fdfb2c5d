"""What an upload knows about itself: displayed size, stream metadata, a preview and its BlurHash."""

import io

import pytest
from PIL import Image

from mediakit.previews import blurhash
from persona_media import conf
from persona_media.models import MediaFile
from persona_media.tests.helpers import post_file, stored_bytes, stored_files
from testkit import images as I
from testkit import media as files
from testkit import videos
from testkit.appsettings import app_settings

pytestmark = pytest.mark.django_db


def preview_of(body: dict) -> Image.Image:
    media = MediaFile.objects.get(pk=body["id"])
    im = Image.open(io.BytesIO(stored_bytes(media.preview_name)))
    im.load()
    return im


def upload(api, persona, kind: str, data: bytes, name: str, status: int = 201):
    response = post_file(api, persona.pk, kind, data, name)
    assert response.status_code == status, response.content
    return response.json()


@pytest.mark.parametrize(
    ("data", "name", "shown", "preview_size", "fmt"),
    [
        pytest.param(lambda: I.photo_jpeg(2000, 1500), "big.jpg", (2000, 1500), (640, 480), "JPEG", id="large-jpeg"),
        pytest.param(lambda: I.photo_jpeg(4000, 1000), "panorama.jpg", (4000, 1000), (640, 160), "JPEG", id="panorama"),
        pytest.param(lambda: I.photo_jpeg(300, 200), "small.jpg", (300, 200), (300, 200), "JPEG", id="never-upscaled"),
        pytest.param(
            lambda: I.jpeg_with_metadata(I.quadrants(800, 400), 6),
            "turned.jpg",
            (800, 400),
            (640, 320),
            "JPEG",
            id="exif-6",
        ),
        pytest.param(lambda: I.png_rgba(900, 900), "alpha.png", (900, 900), (640, 640), "WEBP", id="transparent-png"),
        pytest.param(
            lambda: I.encode(I.photo(700, 300), "PNG"), "flat.png", (700, 300), (640, 274), "JPEG", id="opaque-png"
        ),
    ],
)
def test_image_previews(storage_backend, api, persona, data, name, shown, preview_size, fmt):
    body = upload(api, persona, "image", data(), name)
    assert (body["width"], body["height"]) == shown  # displayed: after the EXIF orientation
    preview = preview_of(body)
    assert (preview.format, preview.size) == (fmt, preview_size)
    assert not preview.info.get("exif") and not preview.info.get("icc_profile") and not preview.getexif()
    assert I.blurhash_distance(body["blurhash"], blurhash(preview)) < 4
    assert body["duration"] is body["fps"] is body["video_codec"] is body["bitrate"] is None


def test_a_panorama_preview_is_a_faithful_downscale(api, persona):
    # Decoded at 2/8 (1000x250: enough for 640x160), not at 640 px on both sides (6/8).
    data = I.photo_jpeg(4000, 1000)
    preview = preview_of(upload(api, persona, "image", data, "wide.jpg"))
    reference = Image.open(io.BytesIO(data)).convert("RGB").resize((640, 160), Image.Resampling.LANCZOS)
    # JPEG at quality 85 alone holds this busy picture to ~26.6 dB; the 2/8 decode costs 0.05 dB of
    # it; a wrong crop, scale or grey fill would be far below 20.
    assert I.psnr(preview.convert("RGB"), reference) > 25.5


def test_an_exif_rotated_photo_previews_upright(api, persona):
    body = upload(api, persona, "image", I.jpeg_with_metadata(I.quadrants(400, 300), 6), "q.jpg")
    preview = preview_of(body).convert("RGB")
    w, h = preview.size
    for corner, (fx, fy) in {"top_left": (0.1, 0.1), "bottom_right": (0.9, 0.9)}.items():
        pixel = preview.getpixel((int(fx * (w - 1)), int(fy * (h - 1))))
        assert all(abs(a - b) <= 40 for a, b in zip(pixel, I.QUADRANTS[corner])), corner


def test_a_cmyk_photo_previews_in_srgb(api, persona):
    body = upload(api, persona, "image", I.cmyk_jpeg((255, 0, 0, 0), size=(200, 200)), "cmyk.jpg")
    preview = preview_of(body)
    assert preview.mode == "RGB"
    r, g, b = preview.getpixel((100, 100))
    assert g > 150 and b > 150 and r < 120  # cyan ink, as sRGB shows it


@pytest.mark.parametrize(
    ("codec", "audio", "expected_video", "expected_audio", "status"),
    [
        pytest.param("libx264", None, "h264", None, 201, id="h264"),
        pytest.param("libx264", "aac", "h264", "aac", 201, id="h264-aac"),
        # Browsers that play these are not all browsers: they are converted, and described as uploaded meanwhile.
        pytest.param("libx265", None, "hevc", None, 202, id="hevc"),
        pytest.param("libvpx-vp9", None, "vp9", None, 202, id="vp9"),
        pytest.param("libsvtav1", None, "av1", None, 202, id="av1"),
    ],
)
def test_video_metadata_and_poster(api, persona, codec, audio, expected_video, expected_audio, status):
    data = videos.encode(codec, width=64, height=48, frames=16, rate=8, audio=audio)
    body = upload(api, persona, "video", data, "clip.mp4", status)
    assert (body["width"], body["height"], body["video_codec"], body["audio_codec"]) == (
        64,
        48,
        expected_video,
        expected_audio,
    )
    assert body["duration"] == pytest.approx(2.0, abs=0.15) and body["fps"] == pytest.approx(8.0)
    assert body["bitrate"] == pytest.approx(len(data) * 8 / body["duration"], rel=0.05)
    preview = preview_of(body)
    assert (preview.format, preview.size) == ("JPEG", (64, 48))
    assert I.blurhash_distance(body["blurhash"], blurhash(preview)) < 4


def test_a_rotated_clip_reports_its_displayed_size_and_an_upright_poster(api, persona):
    body = upload(api, persona, "video", videos.encode(width=64, height=48, rotation=-90), "phone.mp4")
    assert (body["width"], body["height"]) == (48, 64)
    assert preview_of(body).size == (48, 64)


def test_the_poster_skips_black_leading_frames(api, persona):
    body = upload(api, persona, "video", videos.encode(frames=40, rate=8, black=2), "fade-in.mp4")
    assert max(preview_of(body).convert("L").getextrema()) > 100  # the light half of the picture


def test_the_poster_of_a_fade_in_after_one_key_frame_is_not_black(api, persona):
    """10 s at 30 fps, black for 0.8 s (the 24 frames decoded first), then orange, one key frame at 0."""
    body = upload(api, persona, "video", videos.fade_in(seconds=10, rate=30, black=0.8), "fade-in.mp4")
    red, green, blue = (high for _, high in preview_of(body).convert("RGB").getextrema())
    assert red > 32 and red > green > blue


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(lambda: videos.encode(width=3856, height=16, frames=2), "video_too_large", id="too-wide"),
        pytest.param(lambda: videos.encode(frames=30, rate=240), "video_too_large", id="too-fast"),
        pytest.param(lambda: videos.scrambled(videos.encode(frames=8), keep=0), "corrupt_file", id="garbage-stream"),
        pytest.param(lambda: files.mp4(), "corrupt_file", id="boxes-without-a-stream"),
    ],
)
def test_videos_browsers_cannot_play_are_refused_and_leave_nothing(storage_backend, api, persona, make, code):
    response = post_file(api, persona.pk, "video", make(), "clip.mp4")
    assert (response.status_code, response.json()["code"]) == (400, code), response.content
    assert response.json()["detail"]
    assert not MediaFile.objects.exists() and stored_files() == []


def test_videos_longer_than_the_limit_are_refused(settings, api, persona):
    app_settings(settings, "PERSONA_MEDIA", MAX_VIDEO_SECONDS=1.5)
    response = post_file(api, persona.pk, "video", files.real_mp4(), "two-seconds.mp4")
    assert (response.status_code, response.json()["code"]) == (400, "video_too_long")
    assert not MediaFile.objects.exists() and stored_files() == []


def test_preview_sizes_follow_the_setting_of_the_app(api, persona):
    assert conf.PREVIEW_MAX_SIDE == 640
    body = upload(api, persona, "image", I.photo_jpeg(1000, 4000), "tall.jpg")
    assert preview_of(body).size == (160, 640)
