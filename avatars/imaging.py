"""Avatar images: an upload checked and rendered as square variants by mediakit's image pipeline.

Pure processing, file object in and encoded bytes out; nothing here knows about Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from PIL import Image

from mediakit import fingerprint, imaging
from mediakit.imaging import Encoding, ImageRejected, Limits
from mediakit.previews import blurhash

REJECTION_CODES = imaging.REJECTION_CODES

__all__ = ["AvatarSpec", "ImageRejected", "ProcessedAvatar", "Variant", "process_avatar"]


@dataclass(frozen=True)
class AvatarSpec:
    """How avatars are made: variant labels and sides, the upload's limits, the encoders' settings."""

    sizes: Mapping[str, int]
    limits: Limits
    encoding: Encoding = Encoding()
    strip_metadata: bool = True
    blurhash_label: str | None = None  # the variant whose BlurHash is taken, if any


@dataclass(frozen=True)
class Variant:
    """One encoded square rendition."""

    label: str  # a key of AvatarSpec.sizes, e.g. "medium"
    data: bytes
    format: str  # "JPEG" | "PNG" | "WEBP"
    ext: str  # "jpg" | "png" | "webp"
    content_type: str
    side: int


@dataclass(frozen=True)
class ProcessedAvatar:
    """What an accepted upload was, and its variants in size order."""

    format: str  # detected upload format: "JPEG" | "PNG" | "GIF" | "WEBP" | "AVIF" | "HEIF"
    width: int  # as stored in the file, before EXIF rotation
    height: int
    variants: dict[str, Variant]
    blurhash: str = ""  # of the variant AvatarSpec.blurhash_label names
    # The whole upload, small and upright, for a reviewer's perceptual hash (mediakit.fingerprint.prepared):
    # made from the frame decoded here, so the upload is decoded once. None without the PDQ binding.
    picture: Image.Image | None = field(default=None, repr=False, compare=False)


def process_avatar(fileobj: BinaryIO, spec: AvatarSpec) -> ProcessedAvatar:
    """Validate a seekable upload from its bytes alone and render its square variants."""
    expected = imaging.sniff_format(fileobj)
    largest = max(spec.sizes.values())
    with imaging.refusing_unreadable():
        im = imaging.open_image(fileobj, expected, spec.limits)
        with im:
            width, height = im.size
            frame = imaging.decode(im, fileobj, largest)
            exif = None if spec.strip_metadata else imaging.exif_without_orientation(frame)
            top = _square(frame, largest)
            imaging.orient(top)  # on ≤ largest px: cheaper than on the frame
            top = imaging.to_srgb(top, frame.info.get("icc_profile"))
            picture = fingerprint.prepared(frame) if fingerprint.available() else None
    out = imaging.output_format(top)
    encoding = replace(spec.encoding, exif=exif)
    rendered = _downscale_chain(top, spec.sizes)
    variants = {label: _variant(label, rendered[label], out, encoding) for label in spec.sizes}
    hashed = blurhash(rendered[spec.blurhash_label]) if spec.blurhash_label in rendered else ""
    return ProcessedAvatar(
        format=expected, width=width, height=height, variants=variants, blurhash=hashed, picture=picture
    )


def _square(im: Image.Image, largest: int) -> Image.Image:
    """Centre square of the decoded frame in an 8-bit mode, at most `largest` px a side."""
    w, h = im.size
    side = min(w, h)
    box = ((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side)
    target = min(largest, side)
    return imaging.resized(im, (target, target), box)


def _downscale_chain(top: Image.Image, sizes: Mapping[str, int]) -> dict[str, Image.Image]:
    """Each variant from the next larger one, never upscaled."""
    rendered: dict[str, Image.Image] = {}
    current = top
    for label, target in sorted(sizes.items(), key=lambda item: item[1], reverse=True):
        side = min(target, top.width)
        if current.width != side:
            current = current.resize((side, side), imaging.RESAMPLE)
        rendered[label] = current
    return rendered


def _variant(label: str, im: Image.Image, fmt: str, encoding: Encoding) -> Variant:
    ext, content_type = imaging.OUTPUT[fmt]
    return Variant(label, imaging.encode(im, fmt, encoding), fmt, ext, content_type, im.width)
