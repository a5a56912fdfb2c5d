"""Still images browsers cannot show (HEIC/HEIF) made into a JPEG, with its preview; pure, no Django.

The picture is decoded once: the same upright sRGB frame gives the stored JPEG (full size, no
metadata at all) and the preview (fitted in max_side², as every preview is).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import BinaryIO

from mediakit.imaging import (
    Encoding,
    Limits,
    decode,
    encode,
    fitted_size,
    open_image,
    orient,
    refusing_unreadable,
    resized,
    to_8bit,
    to_srgb,
)
from mediakit.previews import Rendition, preview_of

# The stored JPEG replaces the upload as the original: a notch above the previews' quality, as a
# phone's own JPEG export is (visually lossless at full size; ~1.5x the bytes of quality 85).
STILL_JPEG_QUALITY = 90


@dataclass(frozen=True)
class Still:
    """An upload re-encoded as a JPEG: its bytes, size (upright) and preview."""

    data: bytes
    width: int
    height: int
    preview: Rendition


def as_jpeg(
    fileobj: BinaryIO, expected: str, limits: Limits, preview_side: int, encoding: Encoding = Encoding()
) -> Still:
    """Check the header, decode the primary image whole, and encode it upright as an sRGB JPEG."""
    with refusing_unreadable():
        with open_image(fileobj, expected, limits) as im:
            frame = decode(im, fileobj)
            icc = frame.info.get("icc_profile")
            upright = orient(to_8bit(frame) if frame.mode not in ("RGB", "L") else frame)
            picture = to_srgb(upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright, icc)
    data = encode(picture, "JPEG", replace(encoding, jpeg_quality=STILL_JPEG_QUALITY, exif=None))
    size = fitted_size(*picture.size, preview_side)
    # A 12 MP photo is first box-reduced to at least twice the preview (~5x faster than resampling the
    # whole frame, the same look once the bicubic step has run).
    factor = max(1, min(picture.width // (2 * size[0]), picture.height // (2 * size[1])))
    small = resized(picture.reduce(factor) if factor > 1 else picture, size)
    return Still(data, picture.width, picture.height, preview_of(small, preview_side, encoding))
