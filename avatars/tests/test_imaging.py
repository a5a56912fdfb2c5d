"""Tests for the pure avatar pipeline, on real images built by avatars.tests.images."""
from __future__ import annotations

import io
import struct
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from functools import cache

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from avatars import imaging
from avatars.imaging import VARIANT_SIZES, ImageRejected, ProcessedAvatar, Variant, process_avatar
from avatars.tests import images as I

Factory = Callable[[], bytes]


def run(data: bytes, **options: object) -> ProcessedAvatar:
    return process_avatar(io.BytesIO(data), **options)


def decoded(variant: Variant) -> Image.Image:
    im = Image.open(io.BytesIO(variant.data))
    im.load()
    return im


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def rgb_at(im: Image.Image, fx: float, fy: float) -> tuple[int, ...]:
    """Pixel at a fraction of the width and height, as RGB(A)."""
    px = im.convert("RGBA").getpixel((int(fx * (im.width - 1)), int(fy * (im.height - 1))))
    return tuple(px)


# --- success: sizes, formats, cropping ----------------------------------------------------------


ALL = [64, 128, 256, 512, 1024]


@pytest.mark.parametrize(("factory", "upload_format", "stored", "sides"), [
    pytest.param(lambda: I.photo_jpeg(1200, 900), "JPEG", (1200, 900), [64, 128, 256, 512, 900],
                 id="jpeg-1200x900"),
    pytest.param(lambda: I.photo_jpeg(2000, 2000), "JPEG", (2000, 2000), ALL, id="jpeg-2000"),
    pytest.param(lambda: I.encode(I.quadrants(4096, 4096), "JPEG"), "JPEG", (4096, 4096), ALL,
                 id="jpeg-4096-draft-1/4"),
    pytest.param(lambda: I.encode(I.quadrants(2050, 2050), "JPEG"), "JPEG", (2050, 2050), ALL,
                 id="jpeg-2050-draft-1/2"),
    pytest.param(lambda: I.encode(I.quadrants(4096, 3000), "JPEG"), "JPEG", (4096, 3000), ALL,
                 id="jpeg-4096x3000"),
    pytest.param(lambda: I.photo_jpeg(300, 300), "JPEG", (300, 300), [64, 128, 256, 300, 300],
                 id="jpeg-300-no-upscale"),
    pytest.param(lambda: I.encode(I.photo(100, 100), "JPEG"), "JPEG", (100, 100), [64, 100, 100, 100, 100],
                 id="jpeg-100-minimum"),
    pytest.param(lambda: I.encode(I.photo(4096, 100), "PNG"), "PNG", (4096, 100), [64, 100, 100, 100, 100],
                 id="png-4096x100-maximum"),
    pytest.param(lambda: I.encode(I.photo(300, 300), "PNG"), "PNG", (300, 300), [64, 128, 256, 300, 300],
                 id="png"),
    pytest.param(lambda: I.png_rgba(700, 500), "PNG", (700, 500), [64, 128, 256, 500, 500], id="png-rgba"),
    pytest.param(lambda: I.webp(600, 200), "WEBP", (600, 200), [64, 128, 200, 200, 200], id="webp-lossy"),
    pytest.param(lambda: I.webp(400, 400, alpha=True, lossless=True), "WEBP", (400, 400),
                 [64, 128, 256, 400, 400], id="webp-lossless-alpha"),
    pytest.param(lambda: I.animated("GIF", size=(200, 260)), "GIF", (200, 260), [64, 128, 200, 200, 200],
                 id="gif"),
    pytest.param(lambda: I.mpo(300, 200), "JPEG", (300, 200), [64, 128, 200, 200, 200], id="mpo-as-jpeg"),
])
def test_variants_are_squares_of_the_expected_sides(factory: Factory, upload_format: str,
                                                   stored: tuple[int, int], sides: list[int]) -> None:
    result = run(factory())
    assert (result.format, result.width, result.height) == (upload_format, *stored)
    assert list(result.variants) == list(VARIANT_SIZES)
    assert [v.side for v in result.variants.values()] == sides
    for name, variant in result.variants.items():
        im = decoded(variant)
        assert variant.name == name
        assert im.size == (variant.side, variant.side)
        assert im.format == variant.format


@pytest.mark.parametrize("size", [(600, 200), (200, 600), (3000, 1200), (1200, 3000)])
@pytest.mark.parametrize(("fmt", "tolerance"), [("PNG", 2), ("JPEG", 24)])
def test_non_square_uploads_keep_the_centre(size: tuple[int, int], fmt: str, tolerance: int) -> None:
    full = decoded(run(I.encode(I.centre_stripes(*size), fmt, quality=95)).variants["full"])
    assert full.size == (min(1024, *size),) * 2
    for f in (0.06, 0.5, 0.94):  # left, centre, right (top, centre, bottom if portrait)
        assert near(rgb_at(full, f, 0.5), (*I.GREEN, 255), tolerance)
        assert near(rgb_at(full, 0.5, f), (*I.GREEN, 255), tolerance)


def test_custom_sizes_keep_their_order_and_never_upscale() -> None:
    result = run(I.photo_jpeg(300, 300), sizes={"big": 400, "tiny": 20, "mid": 150})
    assert [(v.name, v.side) for v in result.variants.values()] == [("big", 300), ("tiny", 20), ("mid", 150)]


@pytest.mark.parametrize(("factory", "fmt", "ext", "content_type"), [
    pytest.param(lambda: I.photo_jpeg(300, 300), "JPEG", "jpg", "image/jpeg", id="jpeg"),
    pytest.param(lambda: I.png_rgba(), "PNG", "png", "image/png", id="png-alpha"),
    pytest.param(lambda: I.png_rgba(opaque=True), "JPEG", "jpg", "image/jpeg", id="png-opaque-alpha"),
    pytest.param(I.palette_png_trns, "PNG", "png", "image/png", id="palette-trns"),
    pytest.param(I.la_png, "PNG", "png", "image/png", id="greyscale-alpha"),
    pytest.param(lambda: I.webp(alpha=True), "WEBP", "webp", "image/webp", id="webp-alpha"),
    pytest.param(lambda: I.webp(), "JPEG", "jpg", "image/jpeg", id="webp-opaque"),
    pytest.param(lambda: I.animated("GIF"), "JPEG", "jpg", "image/jpeg", id="gif"),
    pytest.param(lambda: I.greyscale("PNG"), "JPEG", "jpg", "image/jpeg", id="greyscale"),
])
def test_opaque_becomes_jpeg_and_transparency_is_kept(factory: Factory, fmt: str, ext: str,
                                                       content_type: str) -> None:
    for variant in run(factory()).variants.values():
        assert (variant.format, variant.ext, variant.content_type) == (fmt, ext, content_type)
        assert decoded(variant).format == fmt


@pytest.mark.parametrize("factory", [I.palette_png_trns, I.la_png, lambda: I.webp(alpha=True), I.png_rgba])
def test_transparent_pixels_stay_transparent(factory: Factory) -> None:
    for variant in run(factory()).variants.values():
        im = decoded(variant)
        assert im.mode == "RGBA"
        assert rgb_at(im, 0.0, 0.5)[3] <= 8  # left border is see-through in every factory
        assert rgb_at(im, 0.5, 0.5)[3] >= 100


def test_palette_colours_survive_resampling() -> None:
    for variant in run(I.palette_png_trns(400, 400)).variants.values():
        im = decoded(variant)
        assert near(rgb_at(im, 0.5, 0.5), (*I.RED, 255))
        assert near(rgb_at(im, 0.25, 0.5), (*I.GREEN, 255))


def test_greyscale_stays_single_channel() -> None:
    assert {decoded(v).mode for v in run(I.greyscale("JPEG")).variants.values()} == {"L"}


# --- orientation --------------------------------------------------------------------------------

CORNERS = {
    "top_left": (0.1, 0.1), "top_right": (0.9, 0.1), "bottom_left": (0.1, 0.9), "bottom_right": (0.9, 0.9),
}


def _assert_upright(result: ProcessedAvatar) -> None:
    for variant in result.variants.values():
        im = decoded(variant)
        for corner, (fx, fy) in CORNERS.items():
            assert near(rgb_at(im, fx, fy), (*I.QUADRANTS[corner], 255), 40), (variant.name, corner)


@pytest.mark.parametrize("upright", [(300, 300), (400, 300), (300, 400)])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int, upright: tuple[int, int]) -> None:
    _assert_upright(run(I.jpeg_with_metadata(I.quadrants(*upright), orientation)))


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGB"), ("PNG", "RGBA"), ("PNG", "P"), ("WEBP", "RGB")])
@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_in_png_and_webp(fmt: str, mode: str, orientation: int) -> None:
    stored = I.stored_for(I.quadrants(300, 200), orientation)
    stored = stored.quantize() if mode == "P" else stored.convert(mode)
    _assert_upright(run(I.encode(stored, fmt, exif=I.exif_block(orientation), lossless=True)))


def test_large_jpeg_decoded_at_draft_scale_is_still_upright() -> None:
    _assert_upright(run(I.jpeg_with_metadata(I.quadrants(2400, 3600), 6)))


def test_dimensions_are_reported_as_stored_before_rotation() -> None:
    data = I.jpeg_with_metadata(I.quadrants(2000, 3000), 6)
    result = run(data)
    assert (result.format, result.width, result.height) == ("JPEG", 3000, 2000)
    assert decoded(result.variants["full"]).size == (1024, 1024)


# --- colour -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animation_gives_its_first_frame(fmt: str) -> None:
    for variant in run(I.animated(fmt)).variants.values():
        assert near(rgb_at(decoded(variant), 0.5, 0.5), (*I.RED, 255))


def test_mpo_gives_its_primary_image() -> None:
    result = run(I.mpo())
    assert result.format == "JPEG"
    assert near(rgb_at(decoded(result.variants["full"]), 0.5, 0.5), (*I.RED, 255))


@pytest.mark.parametrize(("factory", "expected"), [
    pytest.param(lambda: I.cmyk_jpeg((255, 0, 0, 0)), (0, 255, 255), id="cyan-no-profile"),
    pytest.param(lambda: I.cmyk_jpeg((0, 255, 0, 0)), (255, 0, 255), id="magenta-no-profile"),
    pytest.param(lambda: I.cmyk_jpeg((0, 0, 0, 255)), (0, 0, 0), id="black-no-profile"),
    pytest.param(lambda: I.cmyk_jpeg((255, 0, 0, 0), icc=I.cmyk_profile()), (0, 255, 255), id="cyan-profile"),
    pytest.param(lambda: I.cmyk_jpeg((255, 0, 0, 0), icc=I.cmyk_profile(I.PRESS_INKS)), (0, 174, 239),
                 id="press-cyan-profile"),
    pytest.param(lambda: I.cmyk_jpeg((0, 255, 0, 0), icc=I.cmyk_profile(I.PRESS_INKS)), (236, 0, 140),
                 id="press-magenta-profile"),
    pytest.param(lambda: I.rgb_jpeg_with_profile(I.RED, I.swapped_primaries_profile()), I.BLUE,
                 id="rgb-profile-applied"),
    pytest.param(lambda: I.rgb_jpeg_with_profile(I.RED, I.srgb_profile()), I.RED, id="srgb-profile"),
])
def test_colours_are_converted_to_srgb(factory: Factory, expected: tuple[int, int, int]) -> None:
    for variant in run(factory()).variants.values():
        im = decoded(variant)
        assert im.mode == "RGB"
        assert near(rgb_at(im, 0.5, 0.5), (*expected, 255)), variant.name


def test_unusable_icc_profile_is_ignored() -> None:
    data = I.rgb_jpeg_with_profile(I.GREEN, I.cmyk_profile())  # CMYK profile on RGB pixels
    assert near(rgb_at(decoded(run(data).variants["full"]), 0.5, 0.5), (*I.GREEN, 255))


@pytest.mark.parametrize(("factory", "expected"), [
    pytest.param(lambda: I.png16_grey(level=0x8000), (128, 128, 128), id="grey-mid"),
    pytest.param(lambda: I.png16_grey(level=0x2000), (32, 32, 32), id="grey-dark"),
    pytest.param(lambda: I.png16_rgb(colour=(40000, 20000, 60000)), (156, 78, 233), id="rgb"),
])
def test_sixteen_bit_is_scaled_not_clipped(factory: Factory, expected: tuple[int, int, int]) -> None:
    for variant in run(factory()).variants.values():
        assert near(rgb_at(decoded(variant), 0.5, 0.5), (*expected, 255), 3)


# --- metadata -----------------------------------------------------------------------------------

METADATA_INPUTS: dict[str, Factory] = {
    "jpeg-exif-gps-xmp-iptc-icc-comment": lambda: I.jpeg_with_metadata(I.photo(400, 300), 6),
    "jpeg-comment": I.jpeg_with_comment,
    "png-text-exif-icc": I.png_with_text,
    "png-rgba-text-exif-icc": lambda: I.png_with_text("RGBA"),
    "webp-exif-xmp-icc": I.webp,
    "webp-alpha-exif-xmp-icc": lambda: I.webp(alpha=True),
    "gif-comment": lambda: I.animated("GIF"),
    "mpo": I.mpo,
}
# Keys Pillow fills in itself when it reads a JPEG (JFIF header) or a WebP (animation defaults).
HARMLESS_INFO = {
    "jfif", "jfif_version", "jfif_unit", "jfif_density", "loop", "background", "duration", "timestamp",
}
FORBIDDEN_BYTES = [b"Exif", b"EXIF", b"XMP", b"xmp", b"tEXt", b"iTXt", b"zTXt", b"eXIf",
                   b"iCCP", b"ICCP", b"ICC_PROFILE", b"Photoshop", b"8BIM", b"CRITVUE"]
ALLOWED_SEGMENTS = {
    "JPEG": {0xE0, 0xDB, 0xC0, 0xC4, 0xDA, 0xDD},  # APP0 JFIF, DQT, SOF0, DHT, SOS, DRI
    "PNG": {b"IHDR", b"IDAT", b"IEND"},
    "WEBP": {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"},
}


def segments(variant: Variant) -> Iterator[object]:
    """JPEG marker codes up to the scan, or PNG / WebP chunk types."""
    data = variant.data
    if variant.format == "JPEG":
        pos = 2
        while data[pos + 1] != 0xDA:
            yield data[pos + 1]
            pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]
        yield 0xDA
    elif variant.format == "PNG":
        pos = 8
        while pos < len(data):
            length = struct.unpack_from(">I", data, pos)[0]
            yield data[pos + 4:pos + 8]
            pos += 12 + length
    else:
        pos = 12
        while pos < len(data):
            length = struct.unpack_from("<I", data, pos + 4)[0]
            yield data[pos:pos + 4]
            pos += 8 + length + length % 2


def outside_pixel_data(variant: Variant) -> bytes:
    """The encoded file minus its compressed pixel payload (JPEG scan, IDAT, VP8/VP8L/ALPH)."""
    data = variant.data
    if variant.format == "JPEG":
        sos = data.index(b"\xff\xda")
        return data[:sos] + data[data.rindex(b"\xff\xd9"):]
    kept, pos = [], 8 if variant.format == "PNG" else 12
    while pos < len(data):
        if variant.format == "PNG":
            length, tag, head = struct.unpack_from(">I", data, pos)[0], data[pos + 4:pos + 8], 8
            end = pos + 12 + length
        else:
            length, tag, head = struct.unpack_from("<I", data, pos + 4)[0], data[pos:pos + 4], 8
            end = pos + 8 + length + length % 2
        kept.append(data[pos:pos + head] if tag in (b"IDAT", b"VP8 ", b"VP8L", b"ALPH") else data[pos:end])
        pos = end
    return data[:8 if variant.format == "PNG" else 12] + b"".join(kept)


@cache
def processed(name: str, strip_metadata: bool = True) -> ProcessedAvatar:
    return run(METADATA_INPUTS[name](), strip_metadata=strip_metadata)


@pytest.mark.parametrize("variant_name", list(VARIANT_SIZES))
@pytest.mark.parametrize("input_name", list(METADATA_INPUTS))
def test_no_metadata_survives(input_name: str, variant_name: str) -> None:
    variant = processed(input_name).variants[variant_name]
    im = decoded(variant)
    assert set(im.info) <= HARMLESS_INFO
    assert not im.getexif()
    assert set(segments(variant)) <= ALLOWED_SEGMENTS[variant.format]
    for needle in FORBIDDEN_BYTES:
        assert needle not in variant.data, needle
    # Three bytes turn up by chance in compressed pixels, so look for "GPS" everywhere else.
    assert b"GPS" not in outside_pixel_data(variant)


def test_strip_metadata_false_keeps_exif_without_orientation() -> None:
    result = run(I.jpeg_with_metadata(I.quadrants(400, 300), 6), strip_metadata=False)
    _assert_upright(result)
    for variant in result.variants.values():
        im = decoded(variant)
        exif = im.getexif()
        assert 0x0112 not in exif
        assert exif.get_ifd(0x8825)[0x12] == I.GPS_SECRET
        assert {"comment", "xmp", "icc_profile", "photoshop"}.isdisjoint(im.info)


def test_the_upload_is_not_closed_and_works_from_disk() -> None:
    with tempfile.TemporaryFile() as upload:
        upload.write(I.photo_jpeg(600, 400))
        upload.seek(0)
        result = process_avatar(upload)
        assert not upload.closed
    assert result.variants["full"].side == 400


class _ChunkedOnly(io.BytesIO):
    """A file that fails the test if anyone reads it whole."""

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and size >= 0, "the upload was read whole"
        return super().read(size)


@pytest.mark.parametrize("factory", [lambda: I.photo_jpeg(1200, 900), lambda: I.png_rgba(600, 600)])
def test_the_upload_is_never_read_whole(factory: Factory) -> None:
    assert process_avatar(_ChunkedOnly(factory())).variants["full"].side > 0


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("factory", "code"), [
    pytest.param(lambda: b"", "empty_file", id="empty"),
    pytest.param(lambda: I.HTML, "unsupported_type", id="html"),
    pytest.param(lambda: I.SVG, "unsupported_type", id="svg"),
    pytest.param(lambda: I.PDF, "unsupported_type", id="pdf"),
    pytest.param(I.elf_header, "unsupported_type", id="elf"),
    pytest.param(lambda: I.TEXT, "unsupported_type", id="text"),
    pytest.param(lambda: bytes(100), "unsupported_type", id="zeros"),
    pytest.param(lambda: I.encode(I.photo(200, 200), "BMP"), "unsupported_type", id="bmp"),
    pytest.param(lambda: I.encode(I.photo(200, 200), "TIFF"), "unsupported_type", id="tiff"),
    pytest.param(lambda: PngImagePlugin._MAGIC + bytes(range(256)) * 4, "unsupported_type",
                 id="png-signature-then-junk"),
    pytest.param(lambda: I.truncated(I.photo_jpeg(300, 300)), "corrupt_file", id="truncated-jpeg"),
    pytest.param(lambda: I.truncated(I.png_rgba()), "corrupt_file", id="truncated-png"),
    pytest.param(lambda: I.truncated(I.encode(I.photo(300, 300).quantize(), "GIF")), "corrupt_file",
                 id="truncated-gif"),
    pytest.param(lambda: I.truncated(I.webp(metadata=False)), "corrupt_file", id="truncated-webp"),
    pytest.param(I.jpeg_header_only, "corrupt_file", id="jpeg-header-only"),
    pytest.param(I.png_header_only, "corrupt_file", id="png-header-only"),
    pytest.param(lambda: b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "corrupt_file",
                 id="jpeg-soi-then-junk"),
    pytest.param(lambda: b"GIF89a" + bytes(range(256)) * 4, "corrupt_file", id="gif-signature-then-junk"),
    pytest.param(lambda: I.raw_png(300, 300, idat=b"not zlib at all"), "corrupt_file", id="png-bad-idat"),
    pytest.param(I.ztxt_bomb, "corrupt_file", id="ztxt-bomb-before-idat"),
    pytest.param(lambda: I.ztxt_bomb("after"), "corrupt_file", id="ztxt-bomb-after-idat"),
    pytest.param(lambda: I.ztxt_bomb(kind=b"iTXt"), "corrupt_file", id="itxt-bomb"),
    pytest.param(I.text_memory_bomb, "corrupt_file", id="text-memory-bomb"),
    pytest.param(lambda: I.png_bomb(60000, 60000), "image_too_large", id="png-60000"),
    pytest.param(lambda: I.jpeg_with_size(60000, 60000), "image_too_large", id="jpeg-60000"),
    pytest.param(lambda: I.gif_with_size(60000, 60000), "image_too_large", id="gif-60000"),
    pytest.param(lambda: I.webp_with_size(60000, 60000), "image_too_large", id="webp-60000"),
    pytest.param(lambda: I.webp_with_size(16384, 16384), "image_too_large", id="webp-16384"),
    pytest.param(lambda: I.jpeg_with_size(5000, 5000), "image_too_large", id="jpeg-header-5000"),
    pytest.param(lambda: I.encode(I.photo(4097, 100), "JPEG"), "image_too_large", id="4097x100"),
    pytest.param(lambda: I.encode(I.photo(100, 4097), "PNG"), "image_too_large", id="100x4097"),
    pytest.param(lambda: I.apng_claiming_frames(5000), "image_too_large", id="apng-5000-frames"),
    pytest.param(lambda: I.encode(I.photo(99, 99), "JPEG"), "image_too_small", id="99x99"),
    pytest.param(lambda: I.encode(I.photo(99, 500), "PNG"), "image_too_small", id="99x500"),
    pytest.param(lambda: I.gif_with_size(50, 50), "image_too_small", id="gif-header-50"),
])
def test_refusals(factory: Factory, code: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        run(factory())
    assert caught.value.code == code
    assert caught.value.code in imaging.REJECTION_CODES
    assert caught.value.detail


@pytest.mark.parametrize(("options", "factory", "code"), [
    pytest.param({"max_side": 20000}, lambda: I.png_bomb(10000, 10000), "image_too_large", id="bomb-warning"),
    pytest.param({"max_frames": 2}, lambda: I.animated("GIF"), "image_too_large", id="gif-frames"),
    pytest.param({"max_frames": 2}, lambda: I.animated("WEBP"), "image_too_large", id="webp-frames"),
    pytest.param({"min_side": 301}, lambda: I.photo_jpeg(300, 300), "image_too_small", id="min-side"),
])
def test_refusals_follow_the_limits_given(options: dict[str, int], factory: Factory, code: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        run(factory(), **options)
    assert caught.value.code == code


def test_frame_cap_counts_every_frame() -> None:
    assert run(I.animated("GIF"), max_frames=3).variants["full"].side == 200


def test_mime_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imaging, "sniff_mime", lambda fileobj: "image/gif")
    with pytest.raises(ImageRejected) as caught:
        run(I.photo_jpeg(300, 300))
    assert caught.value.code == "mime_mismatch"


def test_refusing_leaves_pillow_and_warnings_as_they_were() -> None:
    filters, pixels = list(warnings.filters), Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for data in (I.png_bomb(10000, 10000), I.ztxt_bomb()):
            with pytest.raises(ImageRejected):
                run(data, max_side=20000)
    assert not [w for w in seen if issubclass(w.category, Image.DecompressionBombWarning)]
    assert warnings.filters == filters
    assert Image.MAX_IMAGE_PIXELS == pixels
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert (PngImagePlugin.MAX_TEXT_CHUNK, PngImagePlugin.MAX_TEXT_MEMORY) == (2**20, 64 * 2**20)


def test_concurrent_refusals_leave_warning_filters_alone() -> None:
    filters = list(warnings.filters)
    codes: list[str] = []

    def refuse() -> None:
        for _ in range(5):
            try:
                run(I.png_bomb(10000, 10000), max_side=20000)
            except ImageRejected as exc:
                codes.append(exc.code)

    threads = [threading.Thread(target=refuse) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == ["image_too_large"] * 20
    assert warnings.filters == filters
