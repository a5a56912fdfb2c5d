"""Deterministic test images for the avatar pipeline, built in memory (fixed seeds only)."""

from __future__ import annotations

import io
import math
import random
import struct
import zlib
from collections.abc import Iterable
from functools import lru_cache

from PIL import Image, ImageChops, ImageCms, ImageDraw, PngImagePlugin

RGB = tuple[int, int, int]
RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)
# Upright picture for orientation tests: one colour per quadrant.
QUADRANTS = {"top_left": RED, "top_right": GREEN, "bottom_left": BLUE, "bottom_right": YELLOW}
# Marker strings planted in metadata; none may survive processing.
SECRET = b"CRITVUE-SECRET"
GPS_SECRET = "CRITVUE-SECRET-GPS"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description>CRITVUE-SECRET-XMP</rdf:Description></rdf:RDF></x:xmpmeta>'
)
# Press-like process inks in sRGB, for a CMYK profile whose cyan is not (0, 255, 255).
PRESS_INKS: tuple[RGB, RGB, RGB, RGB] = ((0, 174, 239), (236, 0, 140), (255, 242, 0), (35, 31, 32))
PURE_INKS: tuple[RGB, RGB, RGB, RGB] = ((0, 255, 255), (255, 0, 255), (255, 255, 0), (0, 0, 0))


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    """Encode an image with Pillow."""
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


# --- pictures -----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _photo(width: int, height: int, seed: int) -> Image.Image:
    """Photo-like RGB picture: smooth colour fields, hard-edged shapes and film grain."""
    rng = random.Random(seed)
    ramp = Image.linear_gradient("L")
    base = Image.merge("RGB", (ramp, ramp.rotate(90), Image.radial_gradient("L"))).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    fractal = Image.effect_mandelbrot((256, 256), (-2.0, -1.25, 0.75, 1.25), 60)
    fractal = fractal.convert("RGB").resize((width, height), Image.Resampling.BICUBIC)
    picture = Image.blend(base, fractal, 0.35)
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(max(width, height) // 40, max(width, height) // 8)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=max(1, r // 12))
    grain_side = (max(1, width // 2), max(1, height // 2))
    grain = Image.frombytes("L", grain_side, rng.randbytes(grain_side[0] * grain_side[1]))
    grain = grain.resize((width, height), Image.Resampling.BILINEAR).convert("RGB")
    return Image.blend(picture, grain, 0.12)


def photo(width: int, height: int, seed: int = 1) -> Image.Image:
    """A fresh copy of the photo-like picture."""
    return _photo(width, height, seed).copy()


@lru_cache(maxsize=16)
def photo_jpeg(width: int, height: int, quality: int = 90, seed: int = 1) -> bytes:
    """Photo-like baseline JPEG."""
    return encode(_photo(width, height, seed), "JPEG", quality=quality)


def quadrants(width: int, height: int) -> Image.Image:
    """Upright picture with one solid colour per quadrant (see QUADRANTS)."""
    im = Image.new("RGB", (width, height), RED)
    draw = ImageDraw.Draw(im)
    w2, h2 = width // 2, height // 2
    draw.rectangle((w2, 0, width, h2), fill=GREEN)
    draw.rectangle((0, h2, w2, height), fill=BLUE)
    draw.rectangle((w2, h2, width, height), fill=YELLOW)
    return im


def centre_stripes(width: int, height: int) -> Image.Image:
    """Green centre square flanked by red (left/top) and blue (right/bottom) bands."""
    im = Image.new("RGB", (width, height), GREEN)
    draw = ImageDraw.Draw(im)
    band = abs(width - height) // 2
    if width > height:
        draw.rectangle((0, 0, band - 1, height), fill=RED)
        draw.rectangle((width - band, 0, width, height), fill=BLUE)
    else:
        draw.rectangle((0, 0, width, band - 1), fill=RED)
        draw.rectangle((0, height - band, width, height), fill=BLUE)
    return im


# --- EXIF orientation and metadata ----------------------------------------------------------

# Transform that turns the upright picture into what a camera stores for each orientation
# (the inverse of what a viewer applies).
_STORE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def stored_for(upright: Image.Image, orientation: int) -> Image.Image:
    """The pixels a camera stores so that `orientation` displays `upright`."""
    method = _STORE.get(orientation)
    return upright.transpose(method) if method is not None else upright.copy()


def exif_block(orientation: int | None = None) -> Image.Exif:
    """EXIF with a description, a GPS position and optionally an orientation."""
    exif = Image.Exif()
    exif[0x010E] = "CRITVUE-SECRET-DESCRIPTION"  # ImageDescription
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 22.0, 30.5), 3: "E", 4: (4.0, 53.0, 12.25), 0x12: GPS_SECRET})
    return exif


def app13_iptc() -> bytes:
    """A Photoshop APP13 segment carrying an IPTC caption."""
    caption = SECRET + b"-IPTC"
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def insert_after_soi(jpeg: bytes, segment: bytes) -> bytes:
    """Insert a marker segment right after a JPEG's SOI."""
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_with_metadata(upright: Image.Image, orientation: int = 1, **save: object) -> bytes:
    """JPEG storing `upright` under EXIF orientation, with GPS, comment, XMP, IPTC and ICC."""
    data = encode(
        stored_for(upright, orientation),
        "JPEG",
        quality=92,
        exif=exif_block(orientation),
        comment=SECRET + b"-COMMENT",
        xmp=XMP,
        icc_profile=srgb_profile(),
        **save,
    )
    return insert_after_soi(data, app13_iptc())


def jpeg_with_comment(width: int = 300, height: int = 300) -> bytes:
    """Photo-like JPEG with only a COM comment."""
    return encode(_photo(width, height, 1), "JPEG", quality=90, comment=SECRET + b"-COM")


def png_with_text(mode: str = "RGB", size: tuple[int, int] = (300, 300)) -> bytes:
    """PNG with tEXt, zTXt and iTXt chunks, an eXIf chunk and an ICC profile."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", (SECRET + b"-tEXt").decode())
    info.add_text("Author", (SECRET + b"-zTXt").decode(), zip=True)
    info.add_itxt("Description", (SECRET + b"-iTXt").decode(), lang="en", tkey="d", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    im = photo(*size) if mode == "RGB" else rgba_picture(*size)
    return encode(im, "PNG", pnginfo=info, exif=exif_block(1), icc_profile=srgb_profile())


# --- alpha, palette, depth, greyscale -----------------------------------------------------------


def rgba_picture(width: int, height: int) -> Image.Image:
    """Photo-like RGBA picture with a transparent left border and a soft alpha ramp."""
    im = photo(width, height, seed=2).convert("RGBA")
    alpha = Image.linear_gradient("L").rotate(90).resize((width, height))
    ImageDraw.Draw(alpha).rectangle((0, 0, width // 8, height), fill=0)
    im.putalpha(alpha)
    return im


def png_rgba(width: int = 400, height: int = 400, opaque: bool = False) -> bytes:
    """RGBA PNG (with real transparency unless `opaque`)."""
    im = rgba_picture(width, height)
    if opaque:
        im.putalpha(255)
    return encode(im, "PNG")


def palette_png_trns(width: int = 200, height: int = 200) -> bytes:
    """Palette PNG: transparent border (tRNS index 0), red disc on green."""
    im = Image.new("P", (width, height), 0)
    im.putpalette([0, 0, 0, *GREEN, *RED] + [0] * (256 - 3) * 3)
    draw = ImageDraw.Draw(im)
    draw.rectangle((width // 8, height // 8, width * 7 // 8, height * 7 // 8), fill=1)
    draw.ellipse((width // 3, height // 3, width * 2 // 3, height * 2 // 3), fill=2)
    return encode(im, "PNG", transparency=0)


def png16_grey(width: int = 200, height: int = 200, level: int = 0x8000) -> bytes:
    """16-bit greyscale PNG of one mid level."""
    return encode(Image.new("I;16", (width, height), level), "PNG")


def png16_rgb(width: int = 200, height: int = 200, colour: RGB = (40000, 20000, 60000)) -> bytes:
    """16-bit-per-channel RGB PNG, written chunk by chunk."""
    row = b"\x00" + struct.pack(">3H", *colour) * width
    return raw_png(width, height, bit_depth=16, colour_type=2, idat=zlib.compress(row * height))


def greyscale(fmt: str, width: int = 300, height: int = 300) -> bytes:
    """Greyscale (mode L) picture in the given format."""
    return encode(photo(width, height).convert("L"), fmt)


def la_png(width: int = 300, height: int = 300) -> bytes:
    """Greyscale PNG with an alpha channel (mode LA)."""
    return encode(rgba_picture(width, height).convert("LA"), "PNG")


def webp(
    width: int = 300, height: int = 300, *, alpha: bool = False, lossless: bool = False, metadata: bool = True
) -> bytes:
    """Lossy or lossless WebP, optionally with alpha, carrying EXIF, XMP and ICC."""
    im = rgba_picture(width, height) if alpha else photo(width, height)
    extra = {"exif": exif_block(1), "xmp": XMP, "icc_profile": srgb_profile()} if metadata else {}
    return encode(im, "WEBP", quality=90, lossless=lossless, **extra)


def animated(fmt: str, colours: Iterable[RGB] = (RED, BLUE, GREEN), size: tuple[int, int] = (200, 200)) -> bytes:
    """Animated GIF/WebP/PNG whose frames are solid colours (frame 0 first)."""
    frames = [Image.new("RGB", size, c) for c in colours]
    extra = {"comment": SECRET + b"-GIF"} if fmt == "GIF" else {}
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, **extra)


def mpo(width: int = 300, height: int = 200) -> bytes:
    """Multi-picture JPEG (as phones write): primary image red, second blue."""
    first, second = Image.new("RGB", (width, height), RED), Image.new("RGB", (width, height), BLUE)
    return encode(first, "MPO", save_all=True, append_images=[second])


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """Little CMS's built-in sRGB profile."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_chunk(tag: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def raw_png(
    width: int,
    height: int,
    *,
    bit_depth: int = 8,
    colour_type: int = 2,
    idat: bytes | None = None,
    before: Iterable[bytes] = (),
    after: Iterable[bytes] = (),
    iend: bool = True,
) -> bytes:
    """PNG assembled chunk by chunk; `idat` defaults to one black row (fine for header tests)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1 + width * 3)) if idat is None else idat
    chunks = [png_chunk(b"IHDR", ihdr), *before, png_chunk(b"IDAT", idat), *after]
    return PngImagePlugin._MAGIC + b"".join(chunks) + (png_chunk(b"IEND", b"") if iend else b"")


def blurhash_distance(a: str, b: str) -> float:
    """Mean absolute difference (0-255) of two BlurHashes' pictures: encoding noise stays within a few."""
    import blurhash as codec
    from PIL import ImageStat

    pictures = [codec.decode(h, 16, 12).convert("RGB") for h in (a, b)]
    return sum(ImageStat.Stat(ImageChops.difference(*pictures)).mean) / 3


def psnr(image: Image.Image, reference: Image.Image) -> float:
    """Peak signal-to-noise ratio of `image` against `reference` over all channels, in dB."""
    image = image.convert(reference.mode)
    histogram = ImageChops.difference(image, reference).histogram()
    squared = sum(count * (i % 256) ** 2 for i, count in enumerate(histogram))
    mse = squared / (reference.width * reference.height * len(reference.getbands()))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)
