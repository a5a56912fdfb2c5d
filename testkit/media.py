"""Deterministic test files, as bytes: real images and video, and hand-forged containers."""

import io
import random
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- Images -------------------------------------------------------------------------------


def _picture(width: int, height: int, mode: str) -> Image.Image:
    """A fixed gradient picture of the given size and mode."""
    ramp = Image.linear_gradient("L")
    bands = [ramp.resize((width, height)), ramp.rotate(90).resize((width, height))]
    bands.append(Image.radial_gradient("L").resize((width, height)))
    if mode == "RGBA":
        bands.append(ramp.rotate(180).resize((width, height)))
    return Image.merge(mode, bands)


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    """Encode a Pillow image to bytes."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48, *, progressive: bool = False) -> bytes:
    """A baseline (or progressive) RGB JPEG."""
    return _save(_picture(width, height, "RGB"), "JPEG", quality=90, progressive=progressive)


def png(width: int = 64, height: int = 48, *, alpha: bool = False) -> bytes:
    """An RGB or RGBA PNG."""
    return _save(_picture(width, height, "RGBA" if alpha else "RGB"), "PNG")


def noise_png(width: int, height: int, *, seed: int = 0) -> bytes:
    """An RGB PNG of deterministic noise: about 3 bytes a pixel whatever zlib does (big files on purpose)."""
    pixels = random.Random(seed).randbytes(width * height * 3)
    return _save(Image.frombytes("RGB", (width, height), pixels), "PNG", compress_level=1)


def gif() -> bytes:
    """A small GIF."""
    return _save(_picture(16, 16, "RGB").convert("P"), "GIF")


def webp() -> bytes:
    """A small lossless WebP."""
    return _save(_picture(16, 16, "RGB"), "WEBP", lossless=True)


def bmp() -> bytes:
    """A small BMP."""
    return _save(_picture(16, 16, "RGB"), "BMP")


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """The first `keep` fraction of a file."""
    return data[: int(len(data) * keep)]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with a correct CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height, with one tiny IDAT (never decoded that far)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 16)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def png_scrambled() -> bytes:
    """A PNG whose IDAT holds junk instead of zlib data (its CRC is still right)."""
    ihdr = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    junk = bytes((i * 37 + 11) % 256 for i in range(200))
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", junk) + png_chunk(b"IEND", b"")


def png_text_bomb(*, before_pixels: bool = True) -> bytes:
    """A valid PNG with a zTXt chunk that inflates from ~2 KB to 4 MiB."""
    bomb = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (4 << 20), 9))
    data = png(16, 16)
    at = data.index(b"IDAT") - 4 if before_pixels else data.index(b"IEND") - 4
    return data[:at] + bomb + data[at:]


# --- Other formats, as their first bytes ------------------------------------------------------

HTML = b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8 + struct.pack("<HHI", 2, 0x3E, 1) + b"\0" * 100
# EBML header of a Matroska/WebM file: magic, then DocType "webm" (or "matroska").
MKV = (
    bytes.fromhex("1a45dfa3 9f 4286 81 01 42f7 81 01 42f2 81 04 42f3 81 08 4282 84")
    + b"webm"
    + bytes.fromhex("4287 81 02 4285 81 02 18538067 01ffffffffffffff")
    + b"\0" * 64
)
AVI = b"RIFF" + struct.pack("<I", 200) + b"AVI LIST" + struct.pack("<I", 100) + b"hdrlavih" + b"\0" * 180
RANDOM = bytes((i * 73 + 41) % 256 for i in range(4096))


# --- ISO-BMFF (MP4) forging ---------------------------------------------------------------------


def box(kind: bytes, payload: bytes = b"", *, size: int | None = None, large: bool = False) -> bytes:
    """One box; `size` overrides the 32-bit size field (0 = to end of file), `large` uses 64 bits."""
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload) if size is None else size) + payload
    return struct.pack(">I4s", 8 + len(payload) if size is None else size, kind) + payload


def full_box(kind: bytes, version: int, payload: bytes, flags: int = 0) -> bytes:
    """A box whose payload starts with version and flags."""
    return box(kind, struct.pack(">I", version << 24 | flags) + payload)


MP4_COMPATIBLE = (b"isom", b"iso2", b"avc1", b"mp41")


def ftyp(major: bytes = b"isom", compatible: tuple[bytes, ...] = MP4_COMPATIBLE) -> bytes:
    """A file-type box."""
    return box(b"ftyp", major + struct.pack(">I", 0x200) + b"".join(compatible))


MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def mvhd(timescale: int = 1000, duration: int = 2000, *, version: int = 0) -> bytes:
    """A movie header."""
    times = struct.pack(">QQIQ" if version else ">IIII", 0, 0, timescale, duration)
    rest = struct.pack(">IH10x", 0x10000, 0x100) + MATRIX + b"\0" * 24 + struct.pack(">I", 2)
    return full_box(b"mvhd", version, times + rest)


def tkhd(width: int, height: int, duration: int = 2000, *, version: int = 0) -> bytes:
    """A track header; width and height are written as 16.16 fixed point."""
    times = struct.pack(">QQI4xQ" if version else ">III4xI", 0, 0, 1, duration)
    rest = struct.pack(">8xHHH2x", 0, 0, 0) + MATRIX + struct.pack(">II", width << 16, height << 16)
    return full_box(b"tkhd", version, times + rest, flags=3)


def mdhd(timescale: int = 12800, duration: int = 25600, *, version: int = 0) -> bytes:
    """A media header (language 'und')."""
    times = struct.pack(">QQIQ" if version else ">IIII", 0, 0, timescale, duration)
    return full_box(b"mdhd", version, times + struct.pack(">HH", 0x55C4, 0))


def hdlr(handler: bytes = b"vide") -> bytes:
    """A handler box naming the track's kind."""
    return full_box(b"hdlr", 0, struct.pack(">I", 0) + handler + b"\0" * 12 + b"Handler\0")


def minf(handler: bytes = b"vide") -> bytes:
    """Media information with an (empty) sample table."""
    if handler == b"vide":
        header = full_box(b"vmhd", 0, b"\0" * 8, flags=1)
    else:
        header = full_box(b"smhd", 0, b"\0" * 4)
    dinf = box(b"dinf", full_box(b"dref", 0, struct.pack(">I", 1) + full_box(b"url ", 0, b"", flags=1)))
    empty = struct.pack(">I", 0)
    stbl = box(
        b"stbl",
        b"".join(
            [
                full_box(b"stsd", 0, empty),
                full_box(b"stts", 0, empty),
                full_box(b"stsc", 0, empty),
                full_box(b"stsz", 0, struct.pack(">II", 0, 0)),
                full_box(b"stco", 0, empty),
            ]
        ),
    )
    return box(b"minf", header + dinf + stbl)


def trak(
    handler: bytes = b"vide", width: int = 320, height: int = 240, *, version: int = 0, media_duration: int = 25600
) -> bytes:
    """A track: tkhd + mdia(mdhd, hdlr, minf)."""
    size = (width, height) if handler == b"vide" else (0, 0)
    mdia = box(b"mdia", mdhd(duration=media_duration, version=version) + hdlr(handler) + minf(handler))
    return box(b"trak", tkhd(*size, version=version) + mdia)


def moov(*traks: bytes, header: bytes | None = None) -> bytes:
    """A movie box: mvhd then the tracks (one video track by default)."""
    return box(b"moov", (mvhd() if header is None else header) + b"".join(traks or (trak(),)))


def mdat(length: int = 64) -> bytes:
    """A media-data box of fixed filler."""
    return box(b"mdat", bytes(range(256)) * (length // 256) + bytes(range(length % 256)))


def mp4(
    *,
    major: bytes = b"isom",
    compatible: tuple[bytes, ...] = MP4_COMPATIBLE,
    movie: bytes | None = None,
    mdat_first: bool = False,
) -> bytes:
    """A hand-built MP4: ftyp, moov and mdat (in either order)."""
    body = [moov() if movie is None else movie, mdat()]
    return ftyp(major, compatible) + b"".join(reversed(body) if mdat_first else body)


def nested(depth: int) -> bytes:
    """A moov holding `depth` trak boxes, one inside the other, the innermost empty."""
    inner = box(b"trak")
    for _ in range(depth - 1):
        inner = box(b"trak", inner)
    return box(b"moov", mvhd() + inner)


def heif() -> bytes:
    """The opening boxes of a HEIF still image."""
    meta = full_box(b"meta", 0, hdlr(b"pict") + full_box(b"pitm", 0, struct.pack(">H", 1)))
    return ftyp(b"heic", (b"mif1", b"heic")) + meta + mdat()


# --- A real video, encoded by FFmpeg through PyAV ---------------------------------------------

REAL_WIDTH, REAL_HEIGHT, REAL_FRAMES, REAL_RATE = 64, 48, 16, 8


def real_mp4(codec: str = "libx264") -> bytes:
    """16 frames of 64x48 at 8 fps (2.0 s), H.264 (or "mpeg4"), muxed by FFmpeg."""
    from testkit import videos  # imported here so that the other factories work without PyAV

    return videos.encode(codec, width=REAL_WIDTH, height=REAL_HEIGHT, frames=REAL_FRAMES, rate=REAL_RATE)
