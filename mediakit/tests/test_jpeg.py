"""Strict, scaled JPEG decoding (mediakit.jpeg) on real files made by Pillow and byte surgery."""

import io

import pytest
from PIL import Image, ImageChops

from mediakit import jpeg
from mediakit.rejections import Rejected
from testkit import damaged as images


def pillow(data: bytes, scale: int = 1) -> Image.Image:
    """Pillow's own decode at 1/scale (draft), for comparison."""
    im = Image.open(io.BytesIO(data))
    if scale > 1:
        im.draft(im.mode, (im.width // scale, im.height // scale))
    im.load()
    return im


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return (
        a.mode == b.mode
        and a.size == b.size
        and not ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox()
    )


@pytest.mark.parametrize(
    ("size", "min_side", "expected"),
    [
        ((2000, 2000), 1024, (1250, 1250)),  # 5/8: Pillow's draft() would have to decode all 2000
        ((4096, 4096), 1024, (1024, 1024)),  # 2/8
        ((3000, 2000), 1024, (1875, 1250)),  # the shorter side decides
        ((2000, 3000), 1024, (1250, 1875)),
        ((1100, 1100), 1024, (1100, 1100)),  # 7/8 would give 962 < 1024
        ((600, 400), 1024, (600, 400)),  # never scaled up
        ((600, 400), 1, (75, 50)),  # 1/8 is the smallest
        ((600, 400), 0, (600, 400)),  # 0: full size
    ],
)
def test_decodes_at_the_smallest_m8_scale_still_large_enough(size, min_side, expected):
    data = images.jpeg(*size)
    im = jpeg.decode_scaled(data, min_side)
    assert (im.mode, im.size) == ("RGB", expected)
    assert jpeg.scaled_header(data, min_side) == (*expected, "RGB")


def test_m8_scaled_pixels_are_a_faithful_downscale():
    data = images.jpeg(2000, 2000)
    scaled = jpeg.decode_scaled(data, 1024)  # 1250 px
    reference = pillow(data).resize(scaled.size, Image.Resampling.LANCZOS)
    errors = ImageChops.difference(scaled, reference).histogram()
    mean = sum(i % 256 * n for i, n in enumerate(errors)) / (3 * 1250 * 1250)
    assert mean < 3  # a scaled IDCT, not garbage or grey: mean error of a few levels at most


@pytest.mark.parametrize("kind", ["baseline", "progressive", "greyscale", "cmyk", "444"])
@pytest.mark.parametrize("scale", [1, 2, 4, 8])
def test_pixels_equal_pillows_at_the_scales_both_offer(kind, scale):
    data = {
        "baseline": images.jpeg(600, 400),
        "progressive": images.jpeg(600, 400, progressive=True),
        "greyscale": images.jpeg(300, 200, "L"),
        "cmyk": images.jpeg(200, 240, "CMYK"),
        "444": images.jpeg(320, 200, subsampling=0),
    }[kind]
    ours, theirs = jpeg.decode_scaled(data, min(pillow(data, scale).size)), pillow(data, scale)
    assert ours.mode == theirs.mode == {"greyscale": "L", "cmyk": "CMYK"}.get(kind, "RGB")
    assert same_pixels(ours, theirs)


def test_header_metadata_still_comes_from_pillows_header_parse():
    exif = Image.Exif()
    exif[0x0112] = 6
    data = images.jpeg(640, 480, exif=exif, icc_profile=b"not-a-real-profile-but-kept")
    header = Image.open(io.BytesIO(data))  # reads markers only
    im = jpeg.decode_scaled(data, 240)
    assert header.getexif()[0x0112] == 6
    assert header.info["icc_profile"] == b"not-a-real-profile-but-kept"
    assert im.size == (320, 240) and header.size == (640, 480)


@pytest.mark.parametrize(
    "damage", ["cut_scan", "cut_progressive", "taller_header", "no_eoi", "cut_in_header", "not_jpeg", "empty"]
)
@pytest.mark.parametrize("min_side", [1, 1024])
def test_damaged_jpegs_are_refused_at_any_scale(damage, min_side):
    good = images.jpeg(600, 400)
    data = {
        "cut_scan": images.cut_scan(good, 0.5),  # ends with a proper EOI all the same
        "cut_progressive": images.cut_scan(images.jpeg(600, 400, progressive=True), 0.5),
        "taller_header": images.claim_height(good, 1600),  # SOF promises 4x the rows
        "no_eoi": good[: len(good) * 3 // 4],
        "cut_in_header": good[:120],
        "not_jpeg": images.png(),
        "empty": b"",
    }[damage]
    with pytest.raises(Rejected) as refused:
        jpeg.decode_scaled(data, min_side)
    assert refused.value.code == "corrupt_file"
    with pytest.raises(Rejected):
        jpeg.check_jpeg(data)


def test_pillow_itself_accepts_the_cut_files_this_module_refuses():
    """Why this module exists: Pillow pads the lost rows and raises nothing."""
    cut = images.cut_scan(images.jpeg(600, 400), 0.1)
    im = pillow(cut)
    assert im.size == (600, 400)
    assert im.crop((0, 300, 600, 400)).convert("L").getextrema()[0] > 100  # flat grey
    with pytest.raises(Rejected):
        jpeg.decode_scaled(cut, 0)


def test_junk_between_scan_and_eoi_is_tolerated_with_intact_pixels():
    good = images.jpeg(600, 400)
    assert same_pixels(jpeg.decode_scaled(images.junk_before_eoi(good), 400), jpeg.decode_scaled(good, 400))


def test_the_primary_image_of_a_multi_picture_file_decodes():
    first, second = Image.new("RGB", (300, 200), (255, 0, 0)), Image.new("RGB", (300, 200), (0, 0, 255))
    mpo = images.encode(first, "MPO", save_all=True, append_images=[second])
    im = jpeg.decode_scaled(mpo, 0)
    red = im.getpixel((150, 100))
    assert red[0] > 240 and red[2] < 20


def test_decoded_pixels_are_capped():
    data = images.jpeg(600, 400)
    with pytest.raises(Rejected) as refused:
        jpeg.decode_scaled(data, 0, max_pixels=600 * 400 - 1)
    assert refused.value.code == "image_too_large"
    assert jpeg.decode_scaled(data, 200, max_pixels=300 * 200).size == (300, 200)


def test_check_caps_the_full_size_not_the_eighth_it_decodes():
    data = images.jpeg(600, 400)
    jpeg.check_jpeg(data, max_pixels=600 * 400)
    with pytest.raises(Rejected) as refused:
        jpeg.check_jpeg(data, max_pixels=600 * 400 - 1)
    assert refused.value.code == "image_too_large"
    with pytest.raises(Rejected) as refused:
        jpeg.check_jpeg(images.claim_height(images.jpeg(1600, 16), 60000))  # 96 MP: past Pillow's 89
    assert refused.value.code == "image_too_large"


def test_file_buffer_maps_files_on_disk_and_restores_the_position(tmp_path):
    data = images.jpeg(600, 400)
    path = tmp_path / "upload.jpg"
    path.write_bytes(data)
    with open(path, "rb") as upload:
        upload.seek(17)
        with jpeg.file_buffer(upload) as buffer:
            assert isinstance(buffer, memoryview) and bytes(buffer) == data
            assert jpeg.decode_scaled(buffer, 200).size == (300, 200)
        assert upload.tell() == 17
    (tmp_path / "empty.jpg").write_bytes(b"")
    with open(tmp_path / "empty.jpg", "rb") as empty, jpeg.file_buffer(empty) as buffer:
        assert len(buffer) == 0


def test_file_buffer_lends_a_bytesio_its_own_buffer():
    upload = io.BytesIO(images.jpeg(600, 400))
    with jpeg.file_buffer(upload) as buffer:
        assert bytes(buffer) == upload.getvalue()
        assert jpeg.decode_scaled(buffer, 400).size == (600, 400)
    upload.write(b"still writable")  # the buffer was released


@pytest.mark.parametrize(
    ("size", "min_size", "expected"),
    [
        ((4000, 1000), (640, 160), (1000, 250)),  # a panorama's preview: 2/8, where 640 on both sides takes 6/8
        ((4000, 1000), (640, 640), (3000, 750)),
        ((1000, 4000), (160, 640), (250, 1000)),
        ((600, 400), (1024, 0), (600, 400)),  # never scaled up, whichever side asks
    ],
)
def test_each_side_can_have_its_own_minimum(size, min_size, expected):
    data = images.jpeg(*size)
    assert jpeg.decode_scaled(data, min_size).size == expected
    assert jpeg.scaled_header(data, min_size)[:2] == expected
