"""Damaged images refused, whole ones passed (mediakit.integrity), on real files on disk."""

import io
import zlib

import pytest
from PIL import Image, ImageChops

from mediakit import integrity
from mediakit.rejections import Rejected
from testkit import damaged as images


def check(tmp_path, data: bytes, fmt: str) -> None:
    """check_intact on the bytes as an upload spooled to disk, then as one held in memory."""
    path = tmp_path / "upload"
    path.write_bytes(data)
    with open(path, "rb") as upload:
        upload.seek(5)
        integrity.check_intact(upload, fmt)
        assert upload.tell() == 5
    integrity.check_intact(io.BytesIO(data), fmt)


def refused(tmp_path, data: bytes, fmt: str) -> str:
    with pytest.raises(Rejected) as refusal:
        check(tmp_path, data, fmt)
    assert refusal.value.code == "corrupt_file"
    return refusal.value.detail


def grey_png_rows(width: int, height: int, level: int) -> bytes:
    """Unfiltered 8-bit greyscale scanlines of one level."""
    return (b"\x00" + bytes([level]) * width) * height


# --- whole files pass ----------------------------------------------------------------------------

GOOD = {
    "jpeg baseline": (lambda: images.jpeg(600, 400), "JPEG"),
    "jpeg progressive": (lambda: images.jpeg(600, 400, progressive=True), "JPEG"),
    "jpeg greyscale": (lambda: images.jpeg(300, 200, "L"), "JPEG"),
    "jpeg cmyk": (lambda: images.jpeg(200, 240, "CMYK"), "JPEG"),
    "jpeg junk before EOI": (lambda: images.junk_before_eoi(images.jpeg(600, 400)), "JPEG"),
    "png rgba": (lambda: images.png(300, 200, "RGBA"), "PNG"),
    "png rgb": (lambda: images.png(300, 200, "RGB"), "PNG"),
    "png greyscale": (lambda: images.png(300, 200, "L"), "PNG"),
    "png palette": (lambda: images.encode(images.picture(300, 200).quantize(64), "PNG"), "PNG"),
    "png 1-bit": (lambda: images.encode(images.picture(301, 199).convert("1"), "PNG"), "PNG"),
    "png 16-bit": (lambda: images.encode(Image.new("I;16", (200, 100), 40000), "PNG"), "PNG"),
    "png interlaced rgba": (lambda: images.interlaced_png(images.picture(333, 257, "RGBA")), "PNG"),
    "png interlaced tiny": (lambda: images.interlaced_png(images.picture(3, 5, "RGB")), "PNG"),
    "png many IDATs": (lambda: images.png(1200, 900, "RGBA"), "PNG"),
    # One small IDAT inflating to 6 MB: counted in steps, nothing held back is missed.
    "png flat": (lambda: images.encode(Image.new("L", (3000, 2000), 77), "PNG"), "PNG"),
    "webp": (lambda: images.encode(images.picture(300, 200), "WEBP"), "WEBP"),
}


@pytest.mark.parametrize("name", GOOD)
def test_whole_files_pass(tmp_path, name):
    make, fmt = GOOD[name]
    check(tmp_path, make(), fmt)


def test_crafted_interlaced_png_is_what_pillow_decodes():
    """The interlaced test file is real: Pillow reads it back pixel for pixel."""
    original = images.picture(333, 257, "RGBA")
    decoded = Image.open(io.BytesIO(images.interlaced_png(original)))
    assert decoded.info.get("interlace") == 1
    assert not ImageChops.difference(decoded.convert("RGBA"), original).getbbox()


@pytest.mark.parametrize("size", [(1, 1), (2, 3), (7, 9), (8, 8), (333, 257)])
@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_png_raw_size_matches_real_scanlines(size, mode):
    im = images.picture(*size, mode)
    idat = next(c for c in images.png_chunks(images.interlaced_png(im)) if c[2] == b"IDAT")
    interlaced = images.interlaced_png(im)
    pos, length, _ = idat
    inflated = zlib.decompress(interlaced[pos + 8 : pos + 8 + length])
    colour = images.PNG_COLOUR_TYPES[mode]
    assert integrity.png_raw_size(*size, 8, colour, 1) == len(inflated)
    assert integrity.png_raw_size(*size, 8, colour, 0) == len(images.scanlines(im))


# --- damaged files are refused -----------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.05, 0.5, 0.95])
@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_cut_short_but_ending_with_eoi(tmp_path, keep, progressive):
    data = images.cut_scan(images.jpeg(600, 400, progressive=progressive), keep)
    assert data.endswith(b"\xff\xd9")
    assert refused(tmp_path, data, "JPEG") == "the JPEG data ends before the picture does"


def test_jpeg_whose_header_promises_more_rows_than_its_scan_holds(tmp_path):
    data = images.claim_height(images.jpeg(600, 400), 3000)
    assert Image.open(io.BytesIO(data)).size == (600, 3000)
    refused(tmp_path, data, "JPEG")


def test_png_with_a_wrong_idat_crc_pillow_load_accepts(tmp_path):
    data = images.bad_idat_crc(images.png(300, 200, "RGBA"))
    im = Image.open(io.BytesIO(data))
    im.load()  # Pillow's decoder does not look at the CRC
    assert "checksum" in refused(tmp_path, data, "PNG")


def test_png_whose_idat_holds_fewer_rows_than_ihdr_says(tmp_path):
    """A complete zlib stream, every CRC right, but 100 of the 300 rows IHDR announces."""
    rows = images.scanlines(images.picture(300, 300, "L"))[: 100 * 301]
    data = images.raw_png(300, 300, "L", zlib.compress(rows))
    im = Image.open(io.BytesIO(data))
    im.load()  # Pillow stops quietly where the stream ends; the other 200 rows stay black
    assert im.crop((0, 100, 300, 300)).getextrema() == (0, 0)
    assert "30100 of the 90300 bytes" in refused(tmp_path, data, "PNG")
    check(tmp_path, images.raw_png(300, 100, "L", zlib.compress(rows)), "PNG")


def test_interlaced_png_missing_its_last_passes(tmp_path):
    full = images.interlaced_png(images.picture(300, 300, "L"))
    pos, length, _ = next(c for c in images.png_chunks(full) if c[2] == b"IDAT")
    stream = zlib.decompress(full[pos + 8 : pos + 8 + length])
    data = images.raw_png(300, 300, "L", zlib.compress(stream[: len(stream) // 2]), interlace=1)
    refused(tmp_path, data, "PNG")


def test_png_whose_idat_is_cut_with_crcs_recomputed(tmp_path):
    good = images.png(600, 400, "RGB")
    pos, length, _ = next(c for c in images.png_chunks(good) if c[2] == b"IDAT")
    short = good[pos + 8 : pos + 8 + length // 3]
    data = good[:pos] + images.chunk(b"IDAT", short) + images.chunk(b"IEND", b"")
    refused(tmp_path, data, "PNG")


def test_png_with_garbage_in_its_zlib_stream_and_right_crcs(tmp_path):
    stream = bytearray(zlib.compress(grey_png_rows(300, 300, 77)))
    stream[2:40] = bytes(range(38))
    refused(tmp_path, images.raw_png(300, 300, "L", bytes(stream)), "PNG")


def test_png_without_iend_is_refused(tmp_path):
    good = images.png(300, 200, "RGB")
    refused(tmp_path, good[:-12], "PNG")


@pytest.mark.parametrize("fmt", ["WEBP", "GIF"])
def test_cut_webp_and_gif_are_refused_by_pillows_own_decode(fmt):
    """check_intact adds nothing for these: the pipeline's load() already refuses them."""
    good = images.encode(images.picture(300, 200).convert("P") if fmt == "GIF" else images.picture(300, 200), fmt)
    cut = good[: len(good) // 2] + (b"\x00\x3b" if fmt == "GIF" else b"")
    integrity.check_intact(io.BytesIO(cut), fmt)
    with pytest.raises(OSError):
        Image.open(io.BytesIO(cut)).load()


def test_png_claiming_a_decompression_bomb_is_too_large_not_corrupt(tmp_path):
    rows = images.scanlines(images.picture(300, 10, "L"))
    with pytest.raises(Rejected) as refusal:
        check(tmp_path, images.raw_png(60000, 60000, "L", zlib.compress(rows)), "PNG")
    assert refusal.value.code == "image_too_large"
