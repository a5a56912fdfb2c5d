"""Is an accepted image whole? Damage Pillow's decoders let through, refused cheaply; no Django.

API.md: an image is accepted only if it decodes completely and cleanly: cut-short compressed
data (even when the file still ends with a proper end marker), checksum errors, or a header that
promises more than the data holds → `corrupt_file`. What Pillow misses, per format:

- JPEG: libjpeg's "premature end of data segment" and friends are only warnings, which Pillow
  hides: a file cut short, or whose SOF claims more rows than the scan holds, comes out padded
  with grey. `mediakit.jpeg` decodes strictly (a pipeline that decodes with
  `jpeg.decode_scaled` needs no separate check).
- PNG: `load()` checks no chunk CRC, and stops quietly when the zlib stream ends before the
  rows IHDR announced (the rest stays black). `verify()` checks every CRC; the IDAT stream is
  inflated here, output discarded, to count the bytes it really holds.
- WebP and GIF: Pillow's `load()` already refuses cut data (libwebp, the LZW decoder); lossy
  WebP carries no checksum, so a flipped bit inside is not detectable by anyone. Nothing to add.
"""

from __future__ import annotations

import logging
import struct
import zlib
from typing import BinaryIO

from PIL import Image, PngImagePlugin

from mediakit import bounds
from mediakit.jpeg import check_jpeg, file_buffer
from mediakit.rejections import Rejected

log = logging.getLogger(__name__)

# Samples per pixel of each PNG colour type (grey, RGB, palette, grey+alpha, RGBA).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7 passes: first column, first row, column step, row step.
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_INFLATE_STEP = 1 << 20  # inflate at most this much at a time: the output is only counted
_CHUNK_HEAD = struct.Struct(">I4s")


def check_intact(fileobj: BinaryIO, fmt: str) -> None:
    """Refuse (`corrupt_file`) an image of Pillow format `fmt` whose data is damaged or short.

    The file position is restored. For WebP and GIF this does nothing: the pipeline's own
    Pillow decode is where their damage shows (see the module docstring).
    """
    position = fileobj.tell()
    try:
        if fmt in ("JPEG", "MPO"):
            with file_buffer(fileobj) as data:
                check_jpeg(data)
        elif fmt == "PNG":
            check_png(fileobj)
    finally:
        fileobj.seek(position)


def check_png(fileobj: BinaryIO) -> None:
    """Every chunk's CRC right, and the IDAT stream holding all the rows IHDR announces."""
    fileobj.seek(0)
    try:
        with Image.open(bounds.Metered(fileobj), formats=["PNG"]) as im:
            im.verify()  # walks every chunk through IEND, checking each CRC
    except Image.DecompressionBombError as error:  # callers check dimensions first, but still
        raise Rejected("image_too_large", "its header claims more pixels than can be decoded safely") from error
    except Rejected:
        raise
    except Exception as error:  # SyntaxError, OSError, struct.error... all mean "damaged"
        log.info("PNG refused as damaged: %s: %s", type(error).__name__, error)
        raise Rejected("corrupt_file", _png_damage(error)) from error
    fileobj.seek(len(PngImagePlugin._MAGIC))
    try:
        expected, produced = _png_idat_size(fileobj)
    except (KeyError, struct.error) as error:  # verify() passed, so hardly reachable
        raise Rejected("corrupt_file", "the PNG's header is damaged") from error
    if produced < expected:
        raise Rejected(
            "corrupt_file", f"the PNG's image data holds {produced} of the {expected} bytes its header announces"
        )


def _png_damage(error: Exception) -> str:
    """Pillow's complaint about a PNG in words for its owner (Pillow's own name chunks as Python bytes)."""
    words = str(error).lower()
    if "checksum" in words or "crc" in words:
        return "a checksum in the PNG does not match its data: the file was damaged"
    if isinstance(error, EOFError) or "truncated" in words or "end of file" in words:
        return "the PNG ends before its last chunk"
    return "the PNG's structure is damaged"


def png_raw_size(width: int, height: int, bit_depth: int, colour_type: int, interlace: int) -> int:
    """Bytes of filtered scanlines (one filter byte a row) a PNG of this header inflates to."""
    bits = _PNG_CHANNELS[colour_type] * bit_depth

    def rows(w: int, h: int) -> int:
        return h * (1 + (w * bits + 7) // 8) if w > 0 and h > 0 else 0

    if not interlace:
        return rows(width, height)
    return sum(rows((width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy) for x0, y0, dx, dy in ADAM7)


def _png_idat_size(fileobj: BinaryIO) -> tuple[int, int]:
    """(bytes IHDR announces, bytes the IDAT stream inflates to, counted up to that many)."""
    expected, produced = 0, 0
    inflater = zlib.decompressobj()
    while True:
        head = fileobj.read(_CHUNK_HEAD.size)
        if len(head) < _CHUNK_HEAD.size:
            return expected, produced
        length, tag = _CHUNK_HEAD.unpack(head)
        if tag == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", fileobj.read(13))
            expected = png_raw_size(width, height, depth, colour, interlace)
            fileobj.seek(length - 13 + 4, 1)
        elif tag == b"IDAT":
            produced += _inflate(inflater, fileobj.read(length), expected - produced)
            fileobj.seek(4, 1)  # CRC, checked by verify()
        elif tag == b"IEND":
            return expected, produced
        else:
            fileobj.seek(length + 4, 1)
        if produced >= expected > 0 or inflater.eof:
            return expected, produced


def _inflate(inflater: zlib._Decompress, data: bytes, wanted: int) -> int:
    """Inflate `data`, discarding the output, until `wanted` bytes came out; return the count."""
    produced = 0
    try:
        while produced < wanted and not inflater.eof:
            bounds.check_time()
            out = len(inflater.decompress(data, _INFLATE_STEP))
            produced += out
            data = inflater.unconsumed_tail
            if not data and out < _INFLATE_STEP:  # input used up and no output held back
                break
    except zlib.error as error:
        log.info("PNG refused as damaged: %s", error)
        raise Rejected("corrupt_file", "the PNG's compressed image data is damaged") from error
    return produced
