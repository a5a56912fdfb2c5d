"""Previews and BlurHashes, made by the one image pipeline (mediakit.imaging); pure, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import BinaryIO

import blurhash as blurhash_codec
from PIL import Image

from mediakit.imaging import (
    OUTPUT,
    Encoding,
    Limits,
    decode,
    displayed_size,
    encode,
    fitted_size,
    open_image,
    orient,
    output_format,
    refusing_unreadable,
    resized,
    to_srgb,
)

# BlurHash of 4x3 components (API.md). They are the image's lowest frequencies, so they are taken
# from a 64 px reduction of the picture: ~7 ms instead of ~700 ms at 640 px with the same look.
BLURHASH_COMPONENTS = (4, 3)
BLURHASH_SIDE = 64


def blurhash(im: Image.Image) -> str:
    """The BlurHash of an 8-bit picture (a preview or a variant)."""
    small = im.convert("RGB")
    small.thumbnail((BLURHASH_SIDE, BLURHASH_SIDE), Image.Resampling.BOX)
    x, y = BLURHASH_COMPONENTS
    return blurhash_codec.encode(small, x_components=x, y_components=y)


@dataclass(frozen=True)
class Rendition:
    """An encoded image made by the pipeline, with its BlurHash."""

    data: bytes
    format: str  # "JPEG" | "WEBP"
    width: int
    height: int
    blurhash: str
    # The upright picture the rendition was encoded from, before its colour conversion: what a reviewer
    # hashes (mediakit.fingerprint.prepared), so an upload is not decoded a second time for it.
    picture: Image.Image | None = field(default=None, repr=False, compare=False)

    @property
    def content_type(self) -> str:
        return OUTPUT[self.format][1]

    @property
    def ext(self) -> str:
        return OUTPUT[self.format][0]


def preview_of(im: Image.Image, max_side: int, encoding: Encoding = Encoding()) -> Rendition:
    """An upright decoded frame (a video's poster) as a preview: fitted inside max_side², never upscaled."""
    return _finish(resized(im, fitted_size(*im.size, max_side)), None, encoding)


def image_preview(
    fileobj: BinaryIO, expected: str, limits: Limits, max_side: int, encoding: Encoding = Encoding()
) -> tuple[tuple[int, int], Rendition]:
    """Check and decode an image upload whole; its displayed size and its preview.

    Decoding at the preview's draft scale still entropy-decodes every JPEG block, so damage is found.
    """
    with refusing_unreadable():
        with open_image(fileobj, expected, limits) as im:
            shown = displayed_size(im)
            frame = decode(im, fileobj, fitted_size(*im.size, max_side))  # a panorama needs 640×160
            small = orient(resized(frame, fitted_size(*frame.size, max_side)))  # turned after the resize: cheaper
            icc = frame.info.get("icc_profile")
    return shown, _finish(small, icc, encoding)


def _finish(small: Image.Image, icc: bytes | None, encoding: Encoding) -> Rendition:
    """sRGB, no metadata: JPEG, or WebP where it is transparent; with its BlurHash."""
    picture = small
    small = to_srgb(small, icc)
    if small.mode not in ("RGB", "RGBA", "L"):
        small = small.convert("RGB")
    fmt = output_format(small)
    data = encode(small, fmt, replace(encoding, exif=None))
    return Rendition(data, fmt, small.width, small.height, blurhash(small), picture)
