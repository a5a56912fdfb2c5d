"""The pure avatar pipeline: sizes, formats, cropping, orientation and colour, on real images (testkit.images)."""

from __future__ import annotations

import pytest

from avatars.conf import VARIANT_SIZES
from avatars.tests.pipeline import Factory, assert_upright, decoded, near, rgb_at, run
from testkit import images as I

# --- success: sizes, formats, cropping ----------------------------------------------------------


ALL = [64, 128, 256, 512, 1024]


@pytest.mark.parametrize(
    ("factory", "upload_format", "stored", "sides"),
    [
        pytest.param(
            lambda: I.photo_jpeg(1200, 900), "JPEG", (1200, 900), [64, 128, 256, 512, 900], id="jpeg-1200x900"
        ),
        pytest.param(lambda: I.photo_jpeg(2000, 2000), "JPEG", (2000, 2000), ALL, id="jpeg-2000"),
        pytest.param(
            lambda: I.encode(I.quadrants(4096, 4096), "JPEG"), "JPEG", (4096, 4096), ALL, id="jpeg-4096-draft-1/4"
        ),
        pytest.param(
            lambda: I.encode(I.quadrants(2050, 2050), "JPEG"), "JPEG", (2050, 2050), ALL, id="jpeg-2050-draft-1/2"
        ),
        pytest.param(lambda: I.encode(I.quadrants(4096, 3000), "JPEG"), "JPEG", (4096, 3000), ALL, id="jpeg-4096x3000"),
        pytest.param(
            lambda: I.photo_jpeg(300, 300), "JPEG", (300, 300), [64, 128, 256, 300, 300], id="jpeg-300-no-upscale"
        ),
        pytest.param(
            lambda: I.encode(I.photo(100, 100), "JPEG"),
            "JPEG",
            (100, 100),
            [64, 100, 100, 100, 100],
            id="jpeg-100-minimum",
        ),
        pytest.param(
            lambda: I.encode(I.photo(4096, 100), "PNG"),
            "PNG",
            (4096, 100),
            [64, 100, 100, 100, 100],
            id="png-4096x100-maximum",
        ),
        pytest.param(lambda: I.encode(I.photo(300, 300), "PNG"), "PNG", (300, 300), [64, 128, 256, 300, 300], id="png"),
        pytest.param(lambda: I.png_rgba(700, 500), "PNG", (700, 500), [64, 128, 256, 500, 500], id="png-rgba"),
        pytest.param(lambda: I.webp(600, 200), "WEBP", (600, 200), [64, 128, 200, 200, 200], id="webp-lossy"),
        pytest.param(
            lambda: I.webp(400, 400, alpha=True, lossless=True),
            "WEBP",
            (400, 400),
            [64, 128, 256, 400, 400],
            id="webp-lossless-alpha",
        ),
        pytest.param(lambda: I.animated("GIF", size=(200, 260)), "GIF", (200, 260), [64, 128, 200, 200, 200], id="gif"),
        pytest.param(lambda: I.mpo(300, 200), "JPEG", (300, 200), [64, 128, 200, 200, 200], id="mpo-as-jpeg"),
    ],
)
def test_variants_are_squares_of_the_expected_sides(
    factory: Factory, upload_format: str, stored: tuple[int, int], sides: list[int]
) -> None:
    result = run(factory())
    assert (result.format, result.width, result.height) == (upload_format, *stored)
    assert list(result.variants) == list(VARIANT_SIZES)
    assert [v.side for v in result.variants.values()] == sides
    for name, variant in result.variants.items():
        im = decoded(variant)
        assert variant.label == name
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
    assert [(v.label, v.side) for v in result.variants.values()] == [("big", 300), ("tiny", 20), ("mid", 150)]


@pytest.mark.parametrize(
    ("factory", "fmt", "ext", "content_type"),
    [
        pytest.param(lambda: I.photo_jpeg(300, 300), "JPEG", "jpg", "image/jpeg", id="jpeg"),
        pytest.param(lambda: I.png_rgba(), "WEBP", "webp", "image/webp", id="png-alpha"),
        pytest.param(lambda: I.png_rgba(opaque=True), "JPEG", "jpg", "image/jpeg", id="png-opaque-alpha"),
        pytest.param(I.palette_png_trns, "WEBP", "webp", "image/webp", id="palette-trns"),
        pytest.param(I.la_png, "WEBP", "webp", "image/webp", id="greyscale-alpha"),
        pytest.param(lambda: I.webp(alpha=True), "WEBP", "webp", "image/webp", id="webp-alpha"),
        pytest.param(lambda: I.webp(), "JPEG", "jpg", "image/jpeg", id="webp-opaque"),
        pytest.param(lambda: I.animated("GIF"), "JPEG", "jpg", "image/jpeg", id="gif"),
        pytest.param(lambda: I.greyscale("PNG"), "JPEG", "jpg", "image/jpeg", id="greyscale"),
    ],
)
def test_opaque_becomes_jpeg_and_transparency_is_kept(factory: Factory, fmt: str, ext: str, content_type: str) -> None:
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


@pytest.mark.parametrize("upright", [(300, 300), (400, 300), (300, 400)])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int, upright: tuple[int, int]) -> None:
    assert_upright(run(I.jpeg_with_metadata(I.quadrants(*upright), orientation)))


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGB"), ("PNG", "RGBA"), ("PNG", "P"), ("WEBP", "RGB")])
@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_in_png_and_webp(fmt: str, mode: str, orientation: int) -> None:
    stored = I.stored_for(I.quadrants(300, 200), orientation)
    stored = stored.quantize() if mode == "P" else stored.convert(mode)
    assert_upright(run(I.encode(stored, fmt, exif=I.exif_block(orientation), lossless=True)))


def test_large_jpeg_decoded_at_draft_scale_is_still_upright() -> None:
    assert_upright(run(I.jpeg_with_metadata(I.quadrants(2400, 3600), 6)))


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


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        pytest.param(lambda: I.cmyk_jpeg((255, 0, 0, 0)), (0, 255, 255), id="cyan-no-profile"),
        pytest.param(lambda: I.cmyk_jpeg((0, 255, 0, 0)), (255, 0, 255), id="magenta-no-profile"),
        pytest.param(lambda: I.cmyk_jpeg((0, 0, 0, 255)), (0, 0, 0), id="black-no-profile"),
        pytest.param(lambda: I.cmyk_jpeg((255, 0, 0, 0), icc=I.cmyk_profile()), (0, 255, 255), id="cyan-profile"),
        pytest.param(
            lambda: I.cmyk_jpeg((255, 0, 0, 0), icc=I.cmyk_profile(I.PRESS_INKS)),
            (0, 174, 239),
            id="press-cyan-profile",
        ),
        pytest.param(
            lambda: I.cmyk_jpeg((0, 255, 0, 0), icc=I.cmyk_profile(I.PRESS_INKS)),
            (236, 0, 140),
            id="press-magenta-profile",
        ),
        pytest.param(
            lambda: I.rgb_jpeg_with_profile(I.RED, I.swapped_primaries_profile()), I.BLUE, id="rgb-profile-applied"
        ),
        pytest.param(lambda: I.rgb_jpeg_with_profile(I.RED, I.srgb_profile()), I.RED, id="srgb-profile"),
    ],
)
def test_colours_are_converted_to_srgb(factory: Factory, expected: tuple[int, int, int]) -> None:
    for variant in run(factory()).variants.values():
        im = decoded(variant)
        assert im.mode == "RGB"
        assert near(rgb_at(im, 0.5, 0.5), (*expected, 255)), variant.label


def test_unusable_icc_profile_is_ignored() -> None:
    data = I.rgb_jpeg_with_profile(I.GREEN, I.cmyk_profile())  # CMYK profile on RGB pixels
    assert near(rgb_at(decoded(run(data).variants["full"]), 0.5, 0.5), (*I.GREEN, 255))


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        pytest.param(lambda: I.png16_grey(level=0x8000), (128, 128, 128), id="grey-mid"),
        pytest.param(lambda: I.png16_grey(level=0x2000), (32, 32, 32), id="grey-dark"),
        pytest.param(lambda: I.png16_rgb(colour=(40000, 20000, 60000)), (156, 78, 233), id="rgb"),
    ],
)
def test_sixteen_bit_is_scaled_not_clipped(factory: Factory, expected: tuple[int, int, int]) -> None:
    for variant in run(factory()).variants.values():
        assert near(rgb_at(decoded(variant), 0.5, 0.5), (*expected, 255), 3)


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_the_whole_upload_is_handed_to_a_reviewer_small_and_upright(orientation: int) -> None:
    """What the blocklist hashes (the whole picture, not the square) comes from the frame decoded here."""
    from mediakit import fingerprint

    upright = I.photo(1800, 1200, seed=orientation)
    data = I.jpeg_with_metadata(upright, orientation)
    picture = run(data).picture
    assert picture is not None and picture.size == (128, 85)  # the whole upload, upright, not its centre square
    assert fingerprint.distance(fingerprint.picture_hash(picture), fingerprint.picture_hash(upright)) <= 6
