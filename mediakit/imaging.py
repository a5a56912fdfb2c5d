"""The one image pipeline of the project; pure (no Django), file object in and encoded bytes out.

sniff → open with the header checked before any pixel is decoded → decode (draft where it helps)
→ orientation → sRGB → metadata dropped → resize → encode. Avatars render their variants with it,
persona media check their images and make their previews with it.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

from mediakit import bounds, heif, integrity, jpeg
from mediakit.rejections import Rejected
from mediakit.sniff import sniff_mime

log = logging.getLogger(__name__)

# Each refusal code of the pipeline and the sentence a client is shown for it.
REFUSALS: dict[str, str] = {
    "empty_file": "The file is empty.",
    "unsupported_type": "This type of file is not accepted here.",
    "mime_mismatch": "The file's content does not match the image format it claims.",
    "corrupt_file": "The image is corrupt, truncated or cannot be read safely.",
    "image_too_small": "The image is too small.",
    "image_too_large": "The image is too large.",
}
REJECTION_CODES = frozenset(REFUSALS)

# What libmagic may call an image, and the Pillow format that must then open it.
FORMAT_BY_MIME: dict[str, str] = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
    "image/avif": "AVIF",  # Pillow's own libavif
    **heif.FORMAT_BY_MIME,  # HEIC/HEIF through pillow-heif (libheif), when installed
}
# Cameras and phones append MP (multi-picture) images to ordinary JPEG photos; Pillow calls such
# files "MPO". Every viewer shows them as JPEG, so they count as JPEG and only the primary image is used.
FORMAT_ALIASES = {"MPO": "JPEG"}
OUTPUT: dict[str, tuple[str, str]] = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
# Pillow's antialiased bicubic for every step: the one big step (decoded frame → a rendition) is
# most of the work, and bicubic does it ~25 % faster than LANCZOS with the same PSNR after encoding;
# down the avatar chain (1024 → 512 → … → 64) it saves another ~7 % of the pipeline for at most
# 0.05 dB on any variant (`make bench`, bench.decode and bench.avatar_processing, report both).
RESAMPLE = Image.Resampling.BICUBIC
FIRST_STEP_RESAMPLE = RESAMPLE
_SIXTEEN_BIT = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})


class ImageRejected(Rejected):
    """The upload is not an image we accept; `code` is one of REFUSALS."""


def refuse(code: str, specifics: str = "") -> ImageRejected:
    """The refusal `code` with its sentence, and what exactly was wrong in brackets."""
    return ImageRejected(code, REFUSALS[code][:-1] + (f" ({specifics})." if specifics else "."))


@dataclass(frozen=True)
class Limits:
    """What an accepted image may be, judged from its header before any pixel is decoded."""

    min_side: int = 1
    max_side: int = 16384
    max_pixels: int | None = None
    # Only frame 0 is ever decoded, but counting GIF frames walks the file, and a claim of millions
    # of frames (APNG acTL, WebP ANIM) marks a crafted file.
    max_frames: int = 1000


@dataclass(frozen=True)
class Encoding:
    """Encoder settings; nothing but (optionally) EXIF is ever written as metadata."""

    jpeg_quality: int = 85  # indistinguishable from 95 at screen sizes, at about half the bytes
    webp_quality: int = 85
    png_compression: int = 6  # zlib's default: nearly all of level 9's savings at a fraction of its time
    # libwebp's speed/size trade-off, by `make bench` (bench.decode): on a 2000 px transparent avatar,
    # method 2 gives 0.09x the bytes of PNG at 0.45x its time; 3-4 save 1.5 % more for +50 % time.
    webp_method: int = 2
    exif: bytes | None = None

    def params(self, fmt: str) -> dict[str, object]:
        params: dict[str, object] = {  # type: ignore[assignment]  # one format's options, picked below
            "JPEG": {"quality": self.jpeg_quality},
            "WEBP": {"quality": self.webp_quality, "method": self.webp_method},
            "PNG": {"compress_level": self.png_compression},
        }[fmt]
        return {**params, "exif": self.exif} if self.exif else params


# --- sniffing and opening ------------------------------------------------------------------------


def sniff_format(fileobj: BinaryIO, accepted: Mapping[str, str] = FORMAT_BY_MIME) -> str:
    """The Pillow format the bytes claim to be (by libmagic), refusing empty and unaccepted files."""
    pos = fileobj.tell()
    fileobj.seek(0)
    empty = not fileobj.read(1)
    fileobj.seek(pos)
    if empty:
        raise refuse("empty_file")
    mime = sniff_mime(fileobj)
    if mime not in accepted:
        raise refuse("unsupported_type", f"the content is {mime}")
    return accepted[mime]


# catch_warnings swaps the process-wide filter list; serialising our short uses of it keeps
# concurrent requests from restoring each other's filters out of order.
_WARNINGS_LOCK = threading.Lock()


@contextmanager
def refusing_unreadable() -> Iterator[None]:
    """The decode's CPU budget (mediakit.bounds); Pillow's bomb warning as an error, and whatever Pillow
    raises on hostile input, as ImageRejected."""
    try:
        with bounds.cpu_budget():
            yield
    except ImageRejected:
        raise
    except Rejected as rejected:  # mediakit.jpeg, integrity and bounds say what is wrong already
        if rejected.code not in REFUSALS:
            raise ImageRejected(rejected.code, rejected.detail) from rejected
        raise refuse(rejected.code, rejected.detail) from rejected
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise refuse("image_too_large", BOMB) from exc
    # Decoders fail on crafted files with OSError, SyntaxError, ValueError (text-chunk bombs),
    # struct.error, EOFError, IndexError, even AssertionError: all of them mean "unreadable". Their
    # words name our internals (classes, limits, the upload object): they go to the log, and the
    # client is told what is wrong with the file where we can say it.
    except Exception as exc:
        log.info("image refused as unreadable: %s: %s", type(exc).__name__, exc, exc_info=exc)
        raise refuse("corrupt_file", unreadable_because(exc)) from exc


BOMB = "its header claims more pixels than can be decoded safely"


def unreadable_because(exc: Exception) -> str:
    """What a decoder's failure says about the file, in words for its owner ("" when it says nothing)."""
    words = str(exc).lower()
    if isinstance(exc, Image.UnidentifiedImageError):
        return "it starts like an image but cannot be read as one"
    if isinstance(exc, EOFError) or "truncated" in words or "end of file" in words:
        return "the file ends before the picture does"
    if "decompressed data too large" in words or "too much memory used in text chunks" in words:
        return "its text metadata is larger than accepted"
    return ""


def _open(fileobj: BinaryIO, formats: tuple[str, ...]) -> ImageFile.ImageFile:
    """Read the header only, with Pillow's decompression-bomb warning raised as an error.

    Pillow's decoders read the file through bounds.Metered, so the CPU budget is checked as they go.
    """
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(bounds.Metered(fileobj), formats=formats)


def open_image(fileobj: BinaryIO, expected: str, limits: Limits) -> ImageFile.ImageFile:
    """Open as the format the bytes announced and check the header's size and frames (no pixels yet).

    Call inside `refusing_unreadable()`, which also covers the decoding that follows. The structure
    is counted first (mediakit.bounds): Pillow's own header parsing walks it in Python.
    """
    with jpeg.file_buffer(fileobj) as data:
        bounds.check_structure(data, expected, max_frames=limits.max_frames)
    fileobj.seek(0)
    im = _open(fileobj, tuple(FORMAT_BY_MIME.values()))
    fmt = FORMAT_ALIASES.get(im.format or "", im.format or "")
    if fmt != expected:
        raise refuse("mime_mismatch", f"the content looks like {expected} but decodes as {fmt}")
    check_header(im, limits)
    return im


def check_header(im: Image.Image, limits: Limits) -> None:
    """Refuse by the header's dimensions and frame count, before any pixel is decoded."""
    w, h = im.size
    if min(w, h) < limits.min_side:
        raise refuse("image_too_small", f"{w}x{h} is below {limits.min_side}x{limits.min_side} pixels")
    if max(w, h) > limits.max_side:
        raise refuse("image_too_large", f"{w}x{h} is above {limits.max_side}x{limits.max_side} pixels")
    if limits.max_pixels is not None and w * h > limits.max_pixels:
        raise refuse("image_too_large", f"{w}x{h} is more than {limits.max_pixels:,} pixels")
    frames = getattr(im, "n_frames", 1)
    if frames > limits.max_frames:
        raise refuse("image_too_large", f"{frames} frames is above {limits.max_frames}")


# --- decoding and pixel work ---------------------------------------------------------------------


def decode(im: ImageFile.ImageFile, fileobj: BinaryIO, need: jpeg.MinSize | None = None) -> Image.Image:
    """Frame 0 decoded whole and checked intact, with the upload's `info` (EXIF, ICC profile).

    A JPEG is decoded by libjpeg-turbo (mediakit.jpeg) at the smallest M/8 scale that keeps both
    sides ≥ `need` px (one minimum for both, or (width, height)), strictly: every block is entropy-decoded
    whatever the scale, and data cut
    short (even before a proper end marker) or a header promising more rows than the scan holds is
    `corrupt_file`, where Pillow would pad with grey. A PNG's checksums and data length are checked
    (mediakit.integrity) before Pillow decodes it; WebP and GIF decoders refuse damage themselves.
    """
    if im.format in ("JPEG", "MPO"):
        with jpeg.file_buffer(fileobj) as data:
            wanted = (need, need) if isinstance(need, int) else need or (0, 0)
            frame = jpeg.decode_scaled(data, (min(wanted[0], im.width), min(wanted[1], im.height)))
        frame.info = dict(im.info)
        return frame
    if im.format == "PNG":
        integrity.check_png(fileobj)
    im.load()
    return im


def exif_without_orientation(im: Image.Image) -> bytes | None:
    """The image's EXIF minus Orientation (applied to the pixels), or None if it has none."""
    exif = im.getexif()
    exif.pop(ExifTags.Base.Orientation, None)
    return exif.tobytes() if exif else None


def displayed_size(im: Image.Image) -> tuple[int, int]:
    """Width and height as shown, after the EXIF orientation (read from the header, no pixels)."""
    orientation = im.getexif().get(ExifTags.Base.Orientation, 1)
    w, h = im.size
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


def orient(im: Image.Image) -> Image.Image:
    """The pixels turned as the EXIF orientation says (in place)."""
    ImageOps.exif_transpose(im, in_place=True)
    return im


def to_8bit(im: Image.Image) -> Image.Image:
    """Palette, 1-bit, 16-bit and greyscale-alpha frames as L, RGB or RGBA (transparency kept)."""
    if im.mode in _SIXTEEN_BIT:
        # Scale 0–65535 down to 0–255; a plain convert("L") clips everything above 255 to white.
        return im.convert("I").point(lambda v: v / 257).convert("L")
    if im.mode == "1":
        return im.convert("L")
    if "transparency" in im.info or im.mode in ("LA", "La", "PA", "RGBa"):
        return im.convert("RGBA")  # maps GIF/PNG tRNS (palette index or colour key) to alpha
    return im if im.mode in ("L", "RGB", "RGBA", "CMYK") else im.convert("RGB")


def drop_opaque_alpha(im: Image.Image) -> Image.Image:
    """Keep alpha only when some pixel is actually see-through."""
    if im.mode == "RGBA" and im.getchannel("A").getextrema()[0] == 255:
        return im.convert("RGB")
    return im


def resized(im: Image.Image, size: tuple[int, int], box: tuple[int, int, int, int] | None = None) -> Image.Image:
    """`box` of the decoded frame (all of it by default) at `size`, in an 8-bit mode, alpha only if used."""
    box = box or (0, 0, *im.size)
    crop_size = (box[2] - box[0], box[3] - box[1])
    if im.mode in ("RGB", "RGBA", "L", "CMYK") and "transparency" not in im.info:
        # Resample straight from the uncropped frame: no crop copy, real pixels at the edges.
        out = im.resize(size, FIRST_STEP_RESAMPLE, box=box) if size != crop_size else im.crop(box)
    else:
        out = to_8bit(im.crop(box))  # palettes and 16-bit must not be resampled as they are
        if size != crop_size:
            out = out.resize(size, FIRST_STEP_RESAMPLE)
    return drop_opaque_alpha(out)


def fitted_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size that fits inside max_side × max_side keeping the aspect ratio, never upscaled."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    """Little CMS's built-in sRGB profile, built once."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB through the embedded ICC profile, or plainly if it has none or is unusable."""
    out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if im.mode != "CMYK" and ImageCms.getProfileDescription(src).startswith("sRGB"):
                return im  # most camera photos say sRGB: converting to itself costs ~20 ms/MP
            converted = ImageCms.profileToProfile(im, src, _srgb(), outputMode=out_mode)
            return converted if converted is not None else im  # None only when converting in place
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile that does not fit the pixels is ignored, as browsers do
    return im.convert(out_mode) if im.mode == "CMYK" else im


# --- encoding ------------------------------------------------------------------------------------


def output_format(im: Image.Image) -> str:
    """JPEG for opaque images, WebP for transparent ones (API.md: a tenth of PNG's bytes, in half the time)."""
    return "WEBP" if im.mode == "RGBA" else "JPEG"


def encode(im: Image.Image, fmt: str, encoding: Encoding = Encoding()) -> bytes:
    """Encode with no metadata carried over from the upload (Pillow writes `info` back out on save)."""
    im.info.clear()
    out = io.BytesIO()
    im.save(out, fmt, **encoding.params(fmt))
    return out.getvalue()
