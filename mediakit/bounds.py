"""What decoding an image may cost: its structure counted before any decoder sees it, and a CPU budget
for the decode itself. Pure, no Django.

A decoder's work is not bounded by the file's size or its pixels alone. A progressive JPEG may
repeat a scan that costs a few bytes and a pass over every block of the picture thousands of times
(152 KiB held libjpeg for 15 s: libjpeg-turbo's "LJT-01-003"); Pillow's header parsers walk JPEG
markers, PNG chunks and GIF blocks one at a time in Python, so ten megabytes of empty ones hold a
worker for seconds before any check of ours runs. `check_structure` walks the container first, at
C speed where it can (regular expressions, one pass) and never further than its caps, and refuses
what no camera, editor or encoder writes:

- JPEG: more segments than MAX_JPEG_SEGMENTS; more scans than `allowed_scans(pixels)`;
- PNG: more chunks than MAX_PNG_CHUNKS (text chunks' decompression is capped by Pillow itself:
  PngImagePlugin.MAX_TEXT_CHUNK and MAX_TEXT_MEMORY; IDAT by the dimensions, mediakit.integrity);
- GIF: more blocks or sub-blocks than MAX_GIF_BLOCKS / MAX_GIF_SUBBLOCKS, more frames than the
  limits allow (`image_too_large`, as the header check would say after Pillow counted them all);
- WebP: nothing to walk here: libwebp's demuxer (C) reads a 10 MB file of 228,000 frames in 33 ms,
  and the header check refuses the frame count before any frame is decoded.

`cpu_budget()` bounds the decode itself: while it is active, every read Pillow's decoders make
through a `Metered` file, and every step of our own inflating, first checks the thread's CPU time
and refuses the image (`corrupt_file`) once it is spent. CPU time, not wall time: a busy machine
must not refuse a file an idle one accepts. The two decoders that run as one C call — libjpeg-turbo
through simplejpeg, libwebp — cannot be stopped mid-way in-process; their work is bounded before
they start by the scan allowance and the pixel limits.
"""

from __future__ import annotations

import re
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import BinaryIO

from mediakit.rejections import Rejected

# JPEG. libjpeg's standard progression has 10 scans (jcparam.c), mozjpeg's 9 to 11, a baseline file
# 1 to 4 (one per component when not interleaved); mozjpeg's own scan table stops at 64. Any picture
# may have MIN_JPEG_SCANS; larger pictures fewer, so that a scan costs at most SCAN_PIXEL_BUDGET
# pixel-passes in all: an empty refinement scan costs libjpeg-turbo ~0.6 ns a pixel on this machine
# (3000 of them over 9 MP took 16 s), so the budget is ~0.7 s of scans at any size — 64 scans up to
# 16 MP, 16 at the persona limit of 64 MP.
MAX_JPEG_SCANS = 64
MIN_JPEG_SCANS = 16
SCAN_PIXEL_BUDGET = 1 << 30
# Segments before the end of the picture: a camera writes about 15 (APPn, DQT, SOF, DHT, SOS); a
# 10 MB XMP packet split into 64 KiB APP1 segments is 160; every scan may bring a DHT and a DRI.
MAX_JPEG_SEGMENTS = 1024
# PNG. Encoders write IDAT in 8-64 KiB chunks (libpng, Pillow); one IDAT per row of a 16384-row
# image, or an APNG's fcTL+fdAT for each of 1000 frames, still fits. Pillow walks every chunk up to
# three times (open, verify, load) at ~2.5 µs each: 32768 chunks stay under 0.3 s.
MAX_PNG_CHUNKS = 1 << 15
# GIF. A frame is an image block with a graphic-control extension, a file adds an application
# extension (looping) and comments. Sub-blocks carry at most 255 bytes: 10 MB of image data written
# in full sub-blocks is 41,000 of them; 131072 allows an average of 80 bytes.
MAX_GIF_BLOCKS = 8192
MAX_GIF_SUBBLOCKS = 1 << 17
# CPU seconds the decode of one image may take, over and above what the checks above bound: the
# largest accepted images decode in well under a second here (a 64 MP PNG: ~1 s).
DECODE_CPU_SECONDS = 1.5

_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})  # TEM, RSTn, SOI: no length follows
# After a scan's header, its entropy-coded data runs to the next marker: an 0xFF not followed by a
# stuffed 0x00, a restart marker or another fill byte.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_GIF_SIGNATURES = (b"GIF87a", b"GIF89a")


def refuse(why: str) -> Rejected:
    return Rejected("corrupt_file", why)


def allowed_scans(pixels: int) -> int:
    """How many scans a JPEG of `pixels` pixels may have (see SCAN_PIXEL_BUDGET)."""
    return min(MAX_JPEG_SCANS, max(MIN_JPEG_SCANS, SCAN_PIXEL_BUDGET // max(pixels, 1)))


def check_structure(data: bytes | memoryview, fmt: str, *, max_frames: int) -> None:
    """Refuse an image of Pillow format `fmt` whose structure would cost its decoders too much.

    Malformed structure is not judged here: Pillow and the decoders refuse it afterwards, as before.
    """
    if fmt in ("JPEG", "MPO"):
        _check_jpeg(data)
    elif fmt == "PNG":
        _check_png(data)
    elif fmt == "GIF":
        _check_gif(data, max_frames)


def _check_jpeg(data: bytes | memoryview) -> None:
    """Walk the segments of the first picture (to EOI), counting them and its scans."""
    if bytes(data[:2]) != b"\xff\xd8":
        return
    pos, end, segments, scans, pixels = 2, len(data), 0, 0, 0
    while pos + 4 <= end:
        if data[pos] != 0xFF:  # stray bytes between segments (libjpeg skips them with a warning)
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                return
            pos = found.start()
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI: anything after is not decoded (an MPO's other pictures)
            return
        if marker in _STANDALONE:
            pos += 2
            continue
        segments += 1
        if segments > MAX_JPEG_SEGMENTS:
            raise refuse(f"it has more than {MAX_JPEG_SEGMENTS} segments, far more than any camera or editor writes")
        length = struct.unpack_from(">H", data, pos + 2)[0]
        if marker in _SOF and pos + 9 <= end:
            height, width = struct.unpack_from(">HH", data, pos + 5)
            pixels = width * height
        pos += 2 + length
        if marker == 0xDA:
            scans += 1
            if scans > allowed_scans(pixels):
                raise refuse(
                    f"it has more than {allowed_scans(pixels)} progressive scans, the most accepted "
                    "for a picture of its size"
                )
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                return
            pos = found.start()


def _check_png(data: bytes | memoryview) -> None:
    """Count the chunks up to IEND."""
    pos, end, chunks = 8, len(data), 0
    while pos + 8 <= end:
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise refuse(f"it has more than {MAX_PNG_CHUNKS} chunks, far more than any encoder writes")
        length, tag = struct.unpack_from(">I4s", data, pos)
        if tag == b"IEND":
            return
        pos += 12 + length


def _check_gif(data: bytes | memoryview, max_frames: int) -> None:
    """Walk the blocks to the trailer, counting blocks, sub-blocks and frames."""
    if bytes(data[:6]) not in _GIF_SIGNATURES or len(data) < 13:
        return
    pos, end = 13 + _colour_table(data[10]), len(data)
    blocks = frames = subblocks = 0
    while pos < end:
        introducer = data[pos]
        if introducer not in (0x21, 0x2C):  # the trailer (0x3B), or damage Pillow reports
            return
        blocks += 1
        if blocks > MAX_GIF_BLOCKS:
            raise refuse(f"it has more than {MAX_GIF_BLOCKS} blocks, far more than any encoder writes")
        if introducer == 0x21:  # extension: label, then sub-blocks
            pos += 2
        else:  # image: descriptor, local colour table, LZW code size, then sub-blocks
            frames += 1
            if frames > max_frames:
                raise Rejected("image_too_large", f"it has more than {max_frames} frames")
            if pos + 10 > end:
                return
            pos += 11 + _colour_table(data[pos + 9])
        while pos < end and data[pos]:
            pos += data[pos] + 1
            subblocks += 1
            if subblocks > MAX_GIF_SUBBLOCKS:
                raise refuse(
                    f"its data is split into more than {MAX_GIF_SUBBLOCKS} pieces, far more than any encoder writes"
                )
        pos += 1  # the empty sub-block that ends the block


def _colour_table(flags: int) -> int:
    """Bytes of the colour table a GIF screen or image descriptor's flags announce."""
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


# --- the CPU budget of a decode -------------------------------------------------------------------

_deadline: ContextVar[float | None] = ContextVar("mediakit_decode_deadline", default=None)


@contextmanager
def cpu_budget(seconds: float = DECODE_CPU_SECONDS) -> Iterator[None]:
    """Within the block, check_time() refuses once this thread has used `seconds` more CPU time.

    Nested budgets keep the earlier deadline: an inner one never extends an outer one.
    """
    deadline = time.thread_time() + seconds
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time() -> None:
    """Refuse (`corrupt_file`) when the active cpu_budget is spent; nothing outside one."""
    deadline = _deadline.get()
    if deadline is not None and time.thread_time() > deadline:
        raise refuse("decoding it takes longer than any image of its size should")


class Metered:
    """A file whose reads first check the CPU budget: Pillow's decoders read between decoding steps."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def read(self, size: int = -1) -> bytes:
        check_time()
        return self.raw.read(size)

    def __getattr__(self, name: str):
        return getattr(self.raw, name)
