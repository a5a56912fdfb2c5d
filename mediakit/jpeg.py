"""Strict JPEG decoding at any M/8 scale, through libjpeg-turbo (simplejpeg); no Django here.

Pillow's `draft()` scales a JPEG only by 1/2, 1/4 or 1/8, so a 2000 px photo is decoded whole to
make a 1024 px variant; libjpeg-turbo's decoder also scales by 3/8, 5/8, 6/8 and 7/8 (5/8 turns
2000 px into 1250). Pillow also hides libjpeg's warnings: data cut short but still closed by an
end-of-image marker decodes "fine" as flat grey. Here every warning that means lost or damaged
pixel data refuses the file as `corrupt_file`.

Only pixels come from here. The caller reads the header with Pillow (`Image.open` decodes no
pixels) for dimension checks, EXIF orientation and the ICC profile, exactly as before.
"""

from __future__ import annotations

import logging
import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

import simplejpeg
from PIL import Image

from mediakit import bounds
from mediakit.rejections import Rejected

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import numpy as np

# libjpeg warnings about how a file is *written*, not about its pixels: junk bytes between
# segments (the scan itself was complete), an unknown JFIF version or Adobe transform code, a
# damaged ICC marker (Pillow reads the profile), SOS parameters a baseline decoder frowns on, or
# an odd progression order. Cameras and editors in the wild produce these, and browsers show
# them; any other warning (premature end of data, bad Huffman or arithmetic code, a missing
# restart marker, end of file before EOI) means pixels were lost.
BENIGN_WARNINGS = (
    "extraneous bytes before marker",
    "unknown JFIF revision",
    "Unknown Adobe color transform",
    "bad ICC marker",
    "Invalid SOS parameters for sequential JPEG",
    "Inconsistent progression sequence",
)

# libjpeg-turbo's colour space name → (decoder output, Pillow mode, Pillow raw mode). Pillow
# reads every CMYK JPEG with Adobe's inverted polarity ("CMYK;I"), and so do we; YCCK files are
# turned into CMYK by libjpeg.
_OUTPUT = {
    "Gray": ("GRAY", "L", "L"),
    "CMYK": ("CMYK", "CMYK", "CMYK;I"),
    "YCCK": ("CMYK", "CMYK", "CMYK;I"),
}
_DEFAULT_OUTPUT = ("RGB", "RGB", "RGB")


class JpegHeader(NamedTuple):
    """What decode_scaled would produce: the scaled size and the Pillow mode."""

    width: int
    height: int
    mode: str


MinSize = int | tuple[int, int]  # one minimum for both sides, or (width, height)


def scaled_header(data: bytes | memoryview, min_side: MinSize = 0) -> JpegHeader:
    """Size and mode of the decode at the smallest M/8 scale keeping both sides ≥ min_side.

    min_side is one minimum for both sides or a (width, height) pair: a preview that fits a
    4000×1000 panorama inside 640 px needs 640×160, so 2/8 serves where 640 on both sides would
    take 6/8. A side already below its minimum is not scaled (the decoder never scales up); a
    minimum ≤ 0 means full size. Reads the header only.
    """
    height, width, colourspace, _ = _header(data, min_side)
    return JpegHeader(width, height, _OUTPUT.get(colourspace, _DEFAULT_OUTPUT)[1])


def decode_scaled(data: bytes | memoryview, min_side: MinSize = 0, *, max_pixels: int | None = None) -> Image.Image:
    """Decode at the smallest M/8 scale keeping both sides ≥ min_side (see scaled_header).

    Greyscale comes back as L, CMYK and YCCK as CMYK (Adobe polarity, as Pillow reads it),
    everything else as RGB. Refuses with `corrupt_file` on any error and on any libjpeg warning
    that means lost pixels, and with `image_too_large` past max_pixels (default: Pillow's
    MAX_IMAGE_PIXELS) decoded pixels.
    """
    height, width, colourspace, _ = _header(data, min_side)
    _cap(width, height, max_pixels)
    output, mode, rawmode = _OUTPUT.get(colourspace, _DEFAULT_OUTPUT)
    pixels = _decode(data, output, min_side)
    if pixels.shape[:2] != (height, width):  # the decoder's scale choice is the header's
        raise Rejected("corrupt_file", "the JPEG decoded to another size than its header says")
    return Image.frombuffer(mode, (width, height), pixels, "raw", rawmode, 0, 1)


def check_jpeg(data: bytes | memoryview, *, max_pixels: int | None = None) -> None:
    """Entropy-decode every block of the scan(s), refusing damage as decode_scaled does.

    Decodes at 1/8 scale: every coefficient is still read (truncation and bad codes are found),
    but the inverse DCT and the output buffer are 1/64 of full size. Refuses images whose full
    size is past max_pixels (default: Pillow's MAX_IMAGE_PIXELS) as `image_too_large`.
    """
    height, width, colourspace, _ = _header(data, 0)
    _cap(width, height, max_pixels)
    _decode(data, _OUTPUT.get(colourspace, _DEFAULT_OUTPUT)[0], 1)


@contextmanager
def file_buffer(fileobj: BinaryIO) -> Iterator[bytes | memoryview]:
    """The whole file as a read-only buffer, without copying it into memory where possible.

    A file on disk (an upload Django spooled to a temporary file) is memory-mapped; an in-memory
    BytesIO lends its own buffer; anything else is read whole. (A mapped file must not shrink
    while mapped; an upload's private temporary file does not.)
    """
    position = fileobj.tell()
    try:
        fileno = fileobj.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        fileno = None
    try:
        if fileno is not None and os.fstat(fileno).st_size:  # an empty file cannot be mapped
            with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as mapped:
                view = memoryview(mapped)
                try:
                    yield view
                finally:
                    view.release()
        elif hasattr(fileobj, "getbuffer"):
            with fileobj.getbuffer() as view:
                yield view
        else:
            fileobj.seek(0)
            yield fileobj.read()
    finally:
        fileobj.seek(position)


def _cap(width: int, height: int, max_pixels: int | None) -> None:
    limit = Image.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    if limit and width * height > limit:
        raise Rejected("image_too_large", f"{width}x{height} is above {limit} pixels")


def _minimums(min_side: MinSize) -> dict[str, int]:
    width, height = (min_side, min_side) if isinstance(min_side, int) else min_side
    return {"min_width": width, "min_height": height}


def _header(data: bytes | memoryview, min_side: MinSize) -> tuple[int, int, str, str]:
    """(height, width, colour space, subsampling) of the decode at the scale min_side asks for."""
    if not len(data):
        raise Rejected("corrupt_file", "the JPEG is empty")
    try:
        return simplejpeg.decode_jpeg_header(data, **_minimums(min_side))
    except (ValueError, KeyError) as error:  # KeyError: a colour space libjpeg cannot name
        log.info("JPEG header refused: %s", error)
        raise Rejected("corrupt_file", "its JPEG header cannot be read") from error


def _decode(data: bytes | memoryview, output: str, min_side: MinSize) -> np.ndarray:
    """Decode strictly; tolerate only BENIGN_WARNINGS (then decode again, leniently)."""
    try:
        return simplejpeg.decode_jpeg(data, output, **_minimums(min_side), strict=True)
    except ValueError as error:
        if not any(benign in str(error) for benign in BENIGN_WARNINGS):
            raise _damaged(error) from error
    bounds.check_time()  # the strict pass may have spent the budget: not a second one then
    try:
        return simplejpeg.decode_jpeg(data, output, **_minimums(min_side), strict=False)
    except ValueError as error:
        raise _damaged(error) from error


def _damaged(error: ValueError) -> Rejected:
    """libjpeg's complaint (to the log) as a refusal in words for the file's owner."""
    log.info("JPEG refused as damaged: %s", error)
    if "premature end" in str(error).lower():
        return Rejected("corrupt_file", "the JPEG data ends before the picture does")
    return Rejected("corrupt_file", "the JPEG's compressed data is damaged")
