"""Hand-written containers and hostile files: bombs, lying headers, truncation, other types."""

from __future__ import annotations

import struct
import zlib

from PIL import Image, PngImagePlugin

from testkit.images.base import BLUE, RED, encode, photo_jpeg, png_chunk, raw_png

# --- hand-written containers and hostile files ----------------------------------------------------


def png_header_only(width: int = 300, height: int = 300) -> bytes:
    """PNG signature and IHDR, nothing else."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PngImagePlugin._MAGIC + png_chunk(b"IHDR", ihdr)


def ztxt_bomb(where: str = "before", kind: bytes = b"zTXt") -> bytes:
    """Small PNG whose zTXt/iTXt chunk inflates past PngImagePlugin.MAX_TEXT_CHUNK."""
    payload = zlib.compress(b"A" * (PngImagePlugin.MAX_TEXT_CHUNK + 1024), 9)
    body = b"Comment\0\0" + payload if kind == b"zTXt" else b"Comment\0\1\0en\0c\0" + payload
    chunk = png_chunk(kind, body)
    valid = zlib.compress(b"".join(b"\x00" + b"\x80" * 300 for _ in range(300)))
    before, after = ([chunk], []) if where == "before" else ([], [chunk])
    return raw_png(300, 300, idat=valid, before=before, after=after)


def text_memory_bomb() -> bytes:
    """PNG whose zTXt chunks, each under MAX_TEXT_CHUNK, add up past MAX_TEXT_MEMORY."""
    size = PngImagePlugin.MAX_TEXT_CHUNK - 1024
    payload = zlib.compress(b"B" * size, 9)
    count = PngImagePlugin.MAX_TEXT_MEMORY // size + 2
    chunks = [png_chunk(b"zTXt", b"k%d\0\0" % i + payload) for i in range(count)]
    return raw_png(300, 300, before=chunks)


def apng_claiming_frames(frames: int) -> bytes:
    """Small PNG whose acTL chunk declares `frames` animation frames."""
    actl = png_chunk(b"acTL", struct.pack(">II", frames, 0))
    valid = zlib.compress(b"".join(b"\x00" + b"\x40" * 600 for _ in range(200)))
    return raw_png(200, 200, idat=valid, before=[actl])


def png_bomb(width: int = 60000, height: int = 60000) -> bytes:
    """Valid-looking PNG whose IHDR claims huge dimensions."""
    return raw_png(width, height)


def jpeg_with_size(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF header is patched to claim other dimensions."""
    data = bytearray(encode(Image.new("RGB", (16, 16), RED), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def gif_with_size(width: int, height: int) -> bytes:
    """A real small GIF whose screen and frame descriptors claim other dimensions."""
    data = bytearray(encode(Image.new("P", (16, 16), 1), "GIF"))
    struct.pack_into("<HH", data, 6, width, height)
    frame = data.index(b",", 13)
    struct.pack_into("<HH", data, frame + 5, width, height)
    return bytes(data)


def webp_with_size(width: int, height: int) -> bytes:
    """Extended-format WebP whose VP8X canvas claims other dimensions."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return tag + struct.pack("<I", len(body)) + body + b"\0" * (len(body) % 2)

    vp8x = chunk(b"VP8X", bytes(4) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little"))
    vp8l = chunk(b"VP8L", b"\x2f" + struct.pack("<I", (width - 1) % 16384 | ((height - 1) % 16384) << 14) + bytes(64))
    body = b"WEBP" + vp8x + vp8l
    return b"RIFF" + struct.pack("<I", len(body)) + body


def jpeg_header_only() -> bytes:
    """A JPEG cut right after its frame header (SOF), before any scan."""
    data = photo_jpeg(300, 300)
    sof = data.index(b"\xff\xc0")
    return data[: sof + 2 + struct.unpack_from(">H", data, sof + 2)[0]]


def truncated(data: bytes, fraction: float = 0.6) -> bytes:
    """The first `fraction` of a file."""
    return data[: int(len(data) * fraction)]


def elf_header() -> bytes:
    """Header of a 64-bit little-endian Linux executable."""
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    rest = struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    return ident + rest + bytes(256)


HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="300" '
    b'height="300"><script>alert(1)</script><rect width="300" height="300"/></svg>'
)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TEXT = b"just some words, not an image at all\n" * 10


# --- files that cost decoders far more than their size (mediakit.bounds) ----------------------------


def _segments(data: bytes) -> list[tuple[int, int]]:
    """(offset, marker) of every JPEG segment, entropy-coded data skipped."""
    found, pos = [], 2
    while pos + 4 <= len(data):
        marker, length = data[pos + 1], struct.unpack_from(">H", data, pos + 2)[0]
        found.append((pos, marker))
        pos += 2 + length
        if marker == 0xDA:  # the scan's data runs to the next marker that is not a stuffed 0x00 or RSTn
            while not (data[pos] == 0xFF and data[pos + 1] not in (0x00, *range(0xD0, 0xD8))):
                pos += 1
        if marker == 0xD9:
            break
    return found


def progressive_scans(data: bytes) -> int:
    """How many scans (SOS segments) a JPEG holds."""
    return sum(marker == 0xDA for _, marker in _segments(data))


def scan_bomb(side: int = 3000, repeats: int = 3000) -> bytes:
    """A flat grey progressive JPEG whose last scan is repeated `repeats` more times before EOI.

    Each copy is ~35 bytes (an AC refinement scan of a flat picture is all end-of-block runs) but
    makes libjpeg pass over every block of the picture again: 3000 of them over 3000x3000 px are
    ~120 KiB that held a worker for 15 s; without the copies it decodes in a few hundredths.
    """
    data = encode(Image.new("RGB", (side, side), (128, 128, 128)), "JPEG", progressive=True, quality=90)
    last = [pos for pos, marker in _segments(data) if marker == 0xDA][-1]
    return data[:-2] + data[last:-2] * repeats + data[-2:]


def jpeg_segment_flood(count: int, side: int = 300) -> bytes:
    """A real JPEG with `count` empty APP5 segments after SOI (Pillow parses each one in Python)."""
    data = photo_jpeg(side, side)
    return data[:2] + b"\xff\xe5\x00\x02" * count + data[2:]


def png_chunk_flood(count: int, side: int = 300) -> bytes:
    """A real PNG with `count` empty private ancillary chunks before its image data."""
    data = encode(Image.new("RGB", (side, side), RED), "PNG")
    ihdr_end = 8 + 25
    return data[:ihdr_end] + png_chunk(b"crTv", b"") * count + data[ihdr_end:]


def gif_frame_flood(frames: int, side: int = 200) -> bytes:
    """A real `side` px GIF followed by one-pixel frames, 15 bytes each, up to `frames` frames."""
    data = encode(Image.new("P", (side, side), 1), "GIF")
    # Descriptor at 0,0 of 1x1, no local table; LZW code size 2; one sub-block: clear, pixel 0, end.
    tiny = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return data[:-1] + tiny * (frames - 1) + data[-1:]


def gif_block_flood(count: int, side: int = 200) -> bytes:
    """A real GIF with `count` empty comment extensions before its picture."""
    data = encode(Image.new("P", (side, side), 1), "GIF")
    blocks = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)  # after the colour table
    return data[:blocks] + b"\x21\xfe\x00" * count + data[blocks:]


def webp_frame_flood(frames: int) -> bytes:
    """An animated WebP whose second frame is repeated until it has `frames` frames."""
    pictures = [Image.new("RGB", (200, 200), colour) for colour in (RED, BLUE)]
    data = encode(pictures[0], "WEBP", save_all=True, append_images=pictures[1:], lossless=True)
    second = data.index(b"ANMF", data.index(b"ANMF") + 4)
    body = data[12:] + data[second:] * (frames - 2)
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body
