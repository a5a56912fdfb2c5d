"""The pure avatar pipeline drops every piece of metadata, and reads uploads without closing or slurping them."""

from __future__ import annotations

import io
import struct
import tempfile
from collections.abc import Iterator
from functools import cache

import pytest

from avatars.conf import VARIANT_SIZES
from avatars.imaging import ProcessedAvatar, Variant, process_avatar
from avatars.services import avatar_spec
from avatars.tests.pipeline import Factory, assert_upright, decoded, run
from testkit import images as I

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
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "loop",
    "background",
    "duration",
    "timestamp",
}
FORBIDDEN_BYTES = [
    b"Exif",
    b"EXIF",
    b"XMP",
    b"xmp",
    b"tEXt",
    b"iTXt",
    b"zTXt",
    b"eXIf",
    b"iCCP",
    b"ICCP",
    b"ICC_PROFILE",
    b"Photoshop",
    b"8BIM",
    b"CRITVUE",
]
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
            yield data[pos + 4 : pos + 8]
            pos += 12 + length
    else:
        pos = 12
        while pos < len(data):
            length = struct.unpack_from("<I", data, pos + 4)[0]
            yield data[pos : pos + 4]
            pos += 8 + length + length % 2


def outside_pixel_data(variant: Variant) -> bytes:
    """The encoded file minus its compressed pixel payload (JPEG scan, IDAT, VP8/VP8L/ALPH)."""
    data = variant.data
    if variant.format == "JPEG":
        sos = data.index(b"\xff\xda")
        return data[:sos] + data[data.rindex(b"\xff\xd9") :]
    kept, pos = [], 8 if variant.format == "PNG" else 12
    while pos < len(data):
        if variant.format == "PNG":
            length, tag, head = struct.unpack_from(">I", data, pos)[0], data[pos + 4 : pos + 8], 8
            end = pos + 12 + length
        else:
            length, tag, head = struct.unpack_from("<I", data, pos + 4)[0], data[pos : pos + 4], 8
            end = pos + 8 + length + length % 2
        kept.append(data[pos : pos + head] if tag in (b"IDAT", b"VP8 ", b"VP8L", b"ALPH") else data[pos:end])
        pos = end
    return data[: 8 if variant.format == "PNG" else 12] + b"".join(kept)


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
    assert_upright(result)
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
        result = process_avatar(upload, avatar_spec())
        assert not upload.closed
    assert result.variants["full"].side == 400


class _ChunkedOnly(io.BytesIO):
    """A file that fails the test if anyone reads it whole."""

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and size >= 0, "the upload was read whole"
        return super().read(size)


@pytest.mark.parametrize("factory", [lambda: I.photo_jpeg(1200, 900), lambda: I.png_rgba(600, 600)])
def test_the_upload_is_never_read_whole(factory: Factory) -> None:
    assert process_avatar(_ChunkedOnly(factory()), avatar_spec()).variants["full"].side > 0
