"""Deterministic image files for mediakit's decoding tests: Pillow output, plus byte surgery."""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, PngImagePlugin

from mediakit.integrity import ADAM7

PNG_COLOUR_TYPES = {"L": 0, "RGB": 2, "LA": 4, "RGBA": 6}


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


@lru_cache(maxsize=8)
def _picture(width: int, height: int) -> Image.Image:
    """Photo-like RGB: colour ramps, a fractal, hard-edged shapes and fixed-seed grain."""
    ramp = Image.linear_gradient("L")
    base = Image.merge("RGB", (ramp, ramp.rotate(90), Image.radial_gradient("L")))
    fractal = Image.effect_mandelbrot((256, 256), (-2.0, -1.25, 0.75, 1.25), 60).convert("RGB")
    im = Image.blend(base, fractal, 0.4).resize((width, height), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(im)
    for i in range(12):
        x, y, r = (i * 7919) % width, (i * 104729) % height, max(4, min(width, height) // (4 + i))
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(i * 20, 255 - i * 20, 128), width=3)
    grain = np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.blend(im, Image.fromarray(grain, "RGB"), 0.1)


def picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A fresh copy of the picture, in `mode` (RGBA gets a ramp of see-through alpha)."""
    im = _picture(width, height).copy()
    if mode == "RGBA":
        im.putalpha(Image.linear_gradient("L").resize((width, height)))
        return im
    return im.convert(mode)


def jpeg(width: int = 600, height: int = 400, mode: str = "RGB", **params: object) -> bytes:
    return encode(picture(width, height, mode), "JPEG", quality=90, **params)


def png(width: int = 300, height: int = 200, mode: str = "RGBA") -> bytes:
    return encode(picture(width, height, mode), "PNG")


# --- JPEG surgery ------------------------------------------------------------------------------


def markers(data: bytes, code: int) -> list[int]:
    """Offsets of every 0xFF `code` marker (SOS, SOF0, ...) outside entropy-coded data."""
    found, pos = [], 2
    while pos + 4 <= len(data):
        marker, length = data[pos + 1], struct.unpack_from(">H", data, pos + 2)[0]
        if marker == code:
            found.append(pos)
        pos += 2 + length
        if marker == 0xDA:  # skip the scan: entropy data runs to the next non-RST marker
            while not (data[pos] == 0xFF and data[pos + 1] not in (0x00, *range(0xD0, 0xD8))):
                pos += 1
    return found


def cut_scan(data: bytes, keep: float) -> bytes:
    """The JPEG with only `keep` of its last scan's data, still closed by an EOI marker."""
    start = markers(data, 0xDA)[-1]
    return data[: start + int((len(data) - 2 - start) * keep)] + b"\xff\xd9"


def claim_height(data: bytes, height: int) -> bytes:
    """The JPEG with its SOF header patched to promise `height` rows."""
    out = bytearray(data)
    sof = next(pos for code in (0xC0, 0xC1, 0xC2) for pos in markers(data, code))
    struct.pack_into(">H", out, sof + 5, height)
    return bytes(out)


def junk_before_eoi(data: bytes) -> bytes:
    """Stray bytes between the scan and EOI: libjpeg warns 'extraneous bytes', pixels intact."""
    return data[:-2] + b"\x11\x22\x33" + data[-2:]


# --- PNG surgery -------------------------------------------------------------------------------


def chunk(tag: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))


def raw_png(width: int, height: int, mode: str, idat: bytes, interlace: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, PNG_COLOUR_TYPES[mode], 0, 0, interlace)
    return PngImagePlugin._MAGIC + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def scanlines(im: Image.Image) -> bytes:
    """Unfiltered PNG scanlines (filter byte 0) of an 8-bit image."""
    rows = np.asarray(im).reshape(im.height, -1)
    return np.hstack([np.zeros((im.height, 1), np.uint8), rows]).tobytes()


def interlaced_png(im: Image.Image) -> bytes:
    """Adam7-interlaced PNG (Pillow writes none): each pass's pixels as unfiltered scanlines."""
    pixels = np.asarray(im)
    passes = b""
    for x0, y0, dx, dy in ADAM7:
        sub = pixels[y0::dy, x0::dx]
        if sub.size:
            passes += scanlines(Image.fromarray(np.ascontiguousarray(sub), im.mode))
    return raw_png(im.width, im.height, im.mode, zlib.compress(passes), interlace=1)


def png_chunks(data: bytes) -> list[tuple[int, int, bytes]]:
    """(offset, length, tag) of every chunk."""
    out, pos = [], len(PngImagePlugin._MAGIC)
    while pos < len(data):
        length, tag = struct.unpack_from(">I4s", data, pos)
        out.append((pos, length, tag))
        pos += 12 + length
    return out


def bad_idat_crc(data: bytes) -> bytes:
    """The PNG with the CRC of its first IDAT chunk wrong (the data itself intact)."""
    pos, length, _ = next(c for c in png_chunks(data) if c[2] == b"IDAT")
    out = bytearray(data)
    out[pos + 8 + length] ^= 0x5A
    return bytes(out)
