"""Perceptual fingerprints of pictures (PDQ) and the pigeonhole keys that find near ones fast: no Django here.

PDQ is Meta's open perceptual hash, made for exactly this (ThreatExchange's hash-sharing lists use it):
256 bits from the DCT of the picture's luminance, thresholded at the median, so a re-encoded, resized
or re-formatted copy of a picture lands within a few bits of the original and distinct pictures about
128 bits apart. It is computed by `pdqhash`, a binding of Meta's own C++ code (the `[pdq]` extra); the
hex form is ThreatExchange's. bench/perceptual.py measured it against pHash (`imagehash`) on the test
kit's photos and scikit-image's sample photos: see README, "Blocked content".
"""

from __future__ import annotations

import io
from typing import BinaryIO

from PIL import Image, ImageOps

BITS = 256
# Copies of a picture within this many bits match: Meta's recommended PDQ threshold. Measured on 118
# distinct photos and 826 copies (quality 60, half size, both, PNG<->JPEG, WebP, new metadata), every
# copy stayed within 28 bits and the closest two distinct photos were 84 bits apart (bench/perceptual.py).
MATCH_DISTANCE = 31
# PDQ's own confidence (0-100): below 50 a picture has too little structure (a flat colour, a plain
# gradient) for its hash to tell it from others, as Meta's documentation says; such hashes are not used.
MIN_QUALITY = 50
# PDQ reduces a picture to 64x64 itself, with a box filter whose window depends on the picture's size:
# the same photo at full and at half size then hashes up to 66 bits apart (measured). Fitting every
# picture into 128 px with Lanczos first makes the hash depend on the picture, not its size (copies:
# at most 28 bits), and costs less. A JPEG is decoded at the smallest 1/2..1/8 scale still >= 512 px.
HASH_SIDE = 128
DECODE_SIDE = 512
# Pigeonhole: 16 chunks of 16 bits. Two hashes within 31 bits differ in at most 1 bit in at least one
# chunk (16 chunks with 2 or more each would make 32), so probing each chunk with its value and its 16
# one-bit neighbours (272 keys) finds every match; a key is chunk position * 2**16 + chunk value.
CHUNKS = 16
CHUNK_BITS = BITS // CHUNKS
PROBE_RADIUS = MATCH_DISTANCE // CHUNKS
assert PROBE_RADIUS == 1, "probe_keys() flips one bit: change it with MATCH_DISTANCE"


def available() -> bool:
    """Whether the PDQ binding is installed (the `[pdq]` extra)."""
    try:
        import pdqhash  # noqa: F401
    except ImportError:
        return False
    return True


def _picture(source: BinaryIO | bytes | Image.Image) -> Image.Image:
    """The displayed picture as RGB at most HASH_SIDE px (see prepared()); a JPEG file is decoded at a draft scale."""
    if isinstance(source, Image.Image):
        return prepared(source)
    image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    if image.format == "JPEG":
        image.draft("RGB", (DECODE_SIDE, DECODE_SIDE))
    return prepared(image)


def prepared(image: Image.Image) -> Image.Image:
    """A picture as the hash reads it: first frame, transparency on white, RGB, at most HASH_SIDE px, upright.

    The upload pipeline hands over what it already decoded (a preview, a frame), so a picture is decoded
    once. A large one is first box-reduced to no less than DECODE_SIDE px a side, as a JPEG's draft decode
    does (a 12 MP HEIC frame: milliseconds instead of a Lanczos pass over every pixel); the EXIF orientation
    the picture still carries is applied last, on the small picture.
    """
    image.seek(0)
    factor = min(image.width, image.height) // DECODE_SIDE
    if factor > 1 and image.mode in ("RGB", "RGBA", "L", "LA"):
        image = image.reduce(factor)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        image.info = rgba.info
    image = image.convert("RGB")
    image.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.LANCZOS, reducing_gap=None)
    return ImageOps.exif_transpose(image)


def pdq(source: BinaryIO | bytes | Image.Image) -> tuple[str, int]:
    """(hex hash, quality 0-100) of a picture. Raises ImportError without pdqhash, PIL errors for non-pictures."""
    import numpy
    import pdqhash

    bits, quality = pdqhash.compute(numpy.asarray(_picture(source)))
    return numpy.packbits(bits.astype(numpy.uint8)).tobytes().hex(), int(quality)


def picture_hash(source: BinaryIO | bytes | Image.Image) -> str:
    """The PDQ hex of a picture worth comparing; "" without pdqhash or when PDQ's quality is too low."""
    if not available():
        return ""
    digest, quality = pdq(source)
    return digest if quality >= MIN_QUALITY else ""


def distance(a: str, b: str) -> int:
    """Hamming distance of two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def chunk_keys(digest: str) -> list[int]:
    """The CHUNKS keys of a hash, as stored in the index."""
    width = CHUNK_BITS // 4
    return [
        position << CHUNK_BITS | int(digest[position * width : (position + 1) * width], 16)
        for position in range(CHUNKS)
    ]


def probe_keys(digest: str) -> list[int]:
    """Every key a hash within MATCH_DISTANCE must share with this one in at least one chunk."""
    keys = []
    for key in chunk_keys(digest):
        keys.append(key)
        keys.extend(key ^ (1 << bit) for bit in range(CHUNK_BITS))
    return keys
