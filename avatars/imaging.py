"""Avatar images: validate an upload from its bytes and render its square variants.

Pure processing, file object in and encoded bytes out; nothing here knows about Django.
"""
from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

from mediakit.rejections import Rejected
from mediakit.sniff import sniff_mime

VARIANT_SIZES: dict[str, int] = {"thumbnail": 64, "small": 128, "medium": 256, "large": 512, "full": 1024}

# What libmagic may call an accepted upload, and the Pillow format that must then open it.
FORMAT_BY_MIME: dict[str, str] = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF",
}
PILLOW_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Cameras and phones append MP (multi-picture) images to ordinary JPEG photos; Pillow calls
# such files "MPO". Every viewer shows them as JPEG, so they count as JPEG and only the
# primary image is used.
FORMAT_ALIASES = {"MPO": "JPEG"}

MIN_SIDE = 100  # API contract; below this even the 128 px variant would be mostly upscaled blur
MAX_SIDE = 4096  # API contract; caps a full decode (PNG, WebP, GIF) at 4096² × 4 B = 64 MiB
# No avatar animation needs more frames. Only frame 0 is ever decoded, but counting GIF frames
# walks the file, and a claim of millions of frames (APNG acTL, WebP ANIM) marks a crafted file.
MAX_FRAMES = 1000
JPEG_QUALITY = 85  # indistinguishable from 95 at avatar sizes, at about half the bytes
WEBP_QUALITY = 85  # same reasoning as JPEG_QUALITY
PNG_COMPRESSION = 6  # zlib's default: nearly all of level 9's savings at a fraction of its time

RESAMPLE = Image.Resampling.LANCZOS
# The one big step (decoded frame → at most 1024 px) is most of the work: Pillow's antialiased
# bicubic does it ~25 % faster than LANCZOS, and after JPEG encoding the variants' PSNR against
# a full LANCZOS reference is the same to 0.1 dB (`make bench` reports it).
FIRST_STEP_RESAMPLE = Image.Resampling.BICUBIC
REJECTION_CODES = frozenset({
    "empty_file", "unsupported_type", "mime_mismatch", "corrupt_file",
    "image_too_small", "image_too_large",
})
_OUTPUT = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
_SIXTEEN_BIT = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})


class ImageRejected(Rejected):
    """The upload is not an image we accept; `code` is one of REJECTION_CODES."""


@dataclass(frozen=True)
class Variant:
    """One encoded square rendition."""

    name: str
    data: bytes
    format: str  # "JPEG" | "PNG" | "WEBP"
    ext: str  # "jpg" | "png" | "webp"
    content_type: str
    side: int


@dataclass(frozen=True)
class ProcessedAvatar:
    """What an accepted upload was, and its variants in VARIANT_SIZES order."""

    format: str  # detected upload format: "JPEG" | "PNG" | "GIF" | "WEBP"
    width: int  # as stored in the file, before EXIF rotation
    height: int
    variants: dict[str, Variant]


def process_avatar(
    fileobj: BinaryIO,
    *,
    sizes: Mapping[str, int] = VARIANT_SIZES,
    min_side: int = MIN_SIDE,
    max_side: int = MAX_SIDE,
    jpeg_quality: int = JPEG_QUALITY,
    webp_quality: int = WEBP_QUALITY,
    png_compression: int = PNG_COMPRESSION,
    strip_metadata: bool = True,
    max_frames: int = MAX_FRAMES,
) -> ProcessedAvatar:
    """Validate a seekable upload from its bytes alone and render its square variants."""
    expected = _sniff_format(fileobj)
    largest = max(sizes.values())
    with _refusing_unreadable(), _open(fileobj) as im:
        fmt = _opened_format(im, expected)
        width, height = im.size
        _check_header(im, min_side, max_side, max_frames)
        _decode(im, largest)
        exif = None if strip_metadata else _exif_without_orientation(im)
        top = _square(im, largest)
        ImageOps.exif_transpose(top, in_place=True)  # on ≤ largest px: cheaper than on the frame
        top = _to_srgb(top, im.info.get("icc_profile"))
    top.info.clear()  # Pillow writes info (comments, ICC, XMP) back out on save
    transparent = top.mode == "RGBA"
    out = ("WEBP" if fmt == "WEBP" else "PNG") if transparent else "JPEG"
    params = _save_params(out, jpeg_quality, webp_quality, png_compression, exif)
    rendered = _downscale_chain(top, sizes)
    variants = {name: _variant(name, rendered[name], out, params) for name in sizes}
    return ProcessedAvatar(format=fmt, width=width, height=height, variants=variants)


# --- validation ----------------------------------------------------------------------------------


def _sniff_format(fileobj: BinaryIO) -> str:
    """The Pillow format the bytes claim to be, refusing empty and unsupported files."""
    pos = fileobj.tell()
    fileobj.seek(0)
    empty = not fileobj.read(1)
    fileobj.seek(pos)
    if empty:
        raise ImageRejected("empty_file", "the file is empty")
    mime = sniff_mime(fileobj)
    if mime not in FORMAT_BY_MIME:
        raise ImageRejected("unsupported_type", f"{mime} is not JPEG, PNG, WebP or GIF")
    return FORMAT_BY_MIME[mime]


def _opened_format(im: Image.Image, expected: str) -> str:
    """The format Pillow opened, which must be the one the magic bytes announced."""
    fmt = FORMAT_ALIASES.get(im.format or "", im.format or "")
    if fmt != expected:
        raise ImageRejected("mime_mismatch", f"content looks like {expected}, decodes as {fmt}")
    return fmt


# catch_warnings swaps the process-wide filter list; serialising our short uses of it keeps
# concurrent requests from restoring each other's filters out of order.
_WARNINGS_LOCK = threading.Lock()


def _open(fileobj: BinaryIO) -> ImageFile.ImageFile:
    """Read the header only, with Pillow's decompression-bomb warning raised as an error."""
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(fileobj, formats=PILLOW_FORMATS)


@contextmanager
def _refusing_unreadable() -> Iterator[None]:
    """Turn anything Pillow raises on hostile or broken input into an ImageRejected."""
    try:
        yield
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("image_too_large", str(exc)) from exc
    # Decoders fail on crafted files with OSError, SyntaxError, ValueError (text-chunk bombs),
    # struct.error, EOFError, IndexError, even AssertionError: all of them mean "unreadable".
    except Exception as exc:
        raise ImageRejected("corrupt_file", f"{type(exc).__name__}: {exc}") from exc


def _check_header(im: Image.Image, min_side: int, max_side: int, max_frames: int) -> None:
    """Refuse by the header's dimensions and frame count, before any pixel is decoded."""
    w, h = im.size
    if min(w, h) < min_side:
        raise ImageRejected("image_too_small", f"{w}x{h} is below {min_side}x{min_side}")
    if max(w, h) > max_side:
        raise ImageRejected("image_too_large", f"{w}x{h} is above {max_side}x{max_side}")
    frames = getattr(im, "n_frames", 1)
    if frames > max_frames:
        raise ImageRejected("image_too_large", f"{frames} frames is above {max_frames}")


# --- decoding and pixel work ---------------------------------------------------------------------


def _decode(im: Image.Image, largest: int) -> None:
    """Decode frame 0; a JPEG decoder scales by 1/2, 1/4 or 1/8 while staying ≥ what we need."""
    if im.format in ("JPEG", "MPO"):
        need = min(largest, *im.size)
        im.draft(im.mode, (need, need))  # before load(); it changes im.size
    im.load()


def _exif_without_orientation(im: Image.Image) -> bytes | None:
    """The upload's EXIF minus Orientation (applied to the pixels), or None if it has none."""
    exif = im.getexif()
    exif.pop(ExifTags.Base.Orientation, None)
    return exif.tobytes() if exif else None


def _square(im: Image.Image, largest: int) -> Image.Image:
    """Centre square of the decoded frame in an 8-bit mode, at most `largest` px a side."""
    w, h = im.size
    side = min(w, h)
    box = ((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side)
    target = min(largest, side)
    if im.mode in ("RGB", "RGBA", "L", "CMYK") and "transparency" not in im.info:
        # Resample straight from the uncropped frame: no crop copy, real pixels at the edges.
        square = im.resize((target, target), FIRST_STEP_RESAMPLE, box=box) if target < side else im.crop(box)
    else:
        square = _to_8bit(im.crop(box))  # palettes and 16-bit must not be resampled as they are
        if target < side:
            square = square.resize((target, target), FIRST_STEP_RESAMPLE)
    return _drop_opaque_alpha(square)


def _to_8bit(im: Image.Image) -> Image.Image:
    """Palette, 1-bit, 16-bit and greyscale-alpha frames as L, RGB or RGBA (transparency kept)."""
    if im.mode in _SIXTEEN_BIT:
        # Scale 0–65535 down to 0–255; a plain convert("L") clips everything above 255 to white.
        return im.convert("I").point(lambda v: v / 257).convert("L")
    if im.mode == "1":
        return im.convert("L")
    if "transparency" in im.info or im.mode in ("LA", "La", "PA", "RGBa"):
        return im.convert("RGBA")  # maps GIF/PNG tRNS (palette index or colour key) to alpha
    return im if im.mode in ("L", "RGB", "RGBA", "CMYK") else im.convert("RGB")


def _drop_opaque_alpha(im: Image.Image) -> Image.Image:
    """Keep alpha only when some pixel is actually see-through."""
    if im.mode == "RGBA" and im.getchannel("A").getextrema()[0] == 255:
        return im.convert("RGB")
    return im


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    """Little CMS's built-in sRGB profile, built once."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB through the embedded ICC profile, or plainly if it has none or is unusable."""
    out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if im.mode != "CMYK" and ImageCms.getProfileDescription(src).startswith("sRGB"):
                return im  # most camera photos say sRGB: converting to itself costs ~20 ms/MP
            return ImageCms.profileToProfile(im, src, _srgb(), outputMode=out_mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile that does not fit the pixels is ignored, as browsers do
    return im.convert(out_mode) if im.mode == "CMYK" else im


def _downscale_chain(top: Image.Image, sizes: Mapping[str, int]) -> dict[str, Image.Image]:
    """Each variant from the next larger one, never upscaled."""
    rendered: dict[str, Image.Image] = {}
    current = top
    for name, target in sorted(sizes.items(), key=lambda item: item[1], reverse=True):
        side = min(target, top.width)
        if current.width != side:
            current = current.resize((side, side), RESAMPLE)
        rendered[name] = current
    return rendered


# --- encoding ------------------------------------------------------------------------------------


def _save_params(fmt: str, jpeg_quality: int, webp_quality: int, png_compression: int,
                 exif: bytes | None) -> dict[str, object]:
    """Encoder options; nothing but (optionally) EXIF is ever passed as metadata."""
    params: dict[str, object] = {
        "JPEG": {"quality": jpeg_quality},
        "WEBP": {"quality": webp_quality},
        "PNG": {"compress_level": png_compression},
    }[fmt]
    return {**params, "exif": exif} if exif else params


def _variant(name: str, im: Image.Image, fmt: str, params: Mapping[str, object]) -> Variant:
    """Encode one rendition with no metadata carried over from the upload."""
    im.info.clear()
    out = io.BytesIO()
    im.save(out, fmt, **params)
    ext, content_type = _OUTPUT[fmt]
    return Variant(name, out.getvalue(), fmt, ext, content_type, im.width)
