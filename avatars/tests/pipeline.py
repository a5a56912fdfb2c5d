"""Helpers of the pure avatar pipeline's tests: run it with changed options, look at its variants."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from avatars.imaging import ProcessedAvatar, Variant, process_avatar
from avatars.services import avatar_spec
from testkit.images import QUADRANTS

Factory = Callable[[], bytes]
LIMIT_OPTIONS = ("min_side", "max_side", "max_frames")


def run(data: bytes, **options: object) -> ProcessedAvatar:
    """process_avatar with the configured spec, changed by `options` (its fields or its limits')."""
    spec = avatar_spec()
    limits = replace(spec.limits, **{k: options.pop(k) for k in LIMIT_OPTIONS if k in options})
    return process_avatar(io.BytesIO(data), replace(spec, limits=limits, **options))


def decoded(variant: Variant) -> Image.Image:
    im = Image.open(io.BytesIO(variant.data))
    im.load()
    return im


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def rgb_at(im: Image.Image, fx: float, fy: float) -> tuple[int, ...]:
    """Pixel at a fraction of the width and height, as RGB(A)."""
    px = im.convert("RGBA").getpixel((int(fx * (im.width - 1)), int(fy * (im.height - 1))))
    return tuple(px)


CORNERS = {
    "top_left": (0.1, 0.1),
    "top_right": (0.9, 0.1),
    "bottom_left": (0.1, 0.9),
    "bottom_right": (0.9, 0.9),
}


def assert_upright(result: ProcessedAvatar) -> None:
    """Every variant shows the quadrants picture (testkit.images.quadrants) the right way up."""
    for variant in result.variants.values():
        im = decoded(variant)
        for corner, (fx, fy) in CORNERS.items():
            assert near(rgb_at(im, fx, fy), (*QUADRANTS[corner], 255), 40), (variant.label, corner)
