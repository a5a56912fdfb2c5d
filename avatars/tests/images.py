"""Deterministic test images for the avatar pipeline, built in memory (fixed seeds only)."""
from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Iterable
from functools import lru_cache

from PIL import Image, ImageCms, ImageDraw, PngImagePlugin

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
    base = Image.merge(
        "RGB", (ramp, ramp.rotate(90), Image.radial_gradient("L"))
    ).resize((width, height), Image.Resampling.BICUBIC)
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
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270,
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
        stored_for(upright, orientation), "JPEG", quality=92, exif=exif_block(orientation),
        comment=SECRET + b"-COMMENT", xmp=XMP, icc_profile=srgb_profile(), **save,
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


def webp(width: int = 300, height: int = 300, *, alpha: bool = False, lossless: bool = False,
         metadata: bool = True) -> bytes:
    """Lossy or lossless WebP, optionally with alpha, carrying EXIF, XMP and ICC."""
    im = rgba_picture(width, height) if alpha else photo(width, height)
    extra = {"exif": exif_block(1), "xmp": XMP, "icc_profile": srgb_profile()} if metadata else {}
    return encode(im, "WEBP", quality=90, lossless=lossless, **extra)


def animated(fmt: str, colours: Iterable[RGB] = (RED, BLUE, GREEN),
             size: tuple[int, int] = (200, 200)) -> bytes:
    """Animated GIF/WebP/PNG whose frames are solid colours (frame 0 first)."""
    frames = [Image.new("RGB", size, c) for c in colours]
    extra = {"comment": SECRET + b"-GIF"} if fmt == "GIF" else {}
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, **extra)


def mpo(width: int = 300, height: int = 200) -> bytes:
    """Multi-picture JPEG (as phones write): primary image red, second blue."""
    first, second = Image.new("RGB", (width, height), RED), Image.new("RGB", (width, height), BLUE)
    return encode(first, "MPO", save_all=True, append_images=[second])


# --- CMYK and ICC -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """Little CMS's built-in sRGB profile."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _tag_table(profile: bytes) -> dict[bytes, tuple[int, int]]:
    count = struct.unpack_from(">I", profile, 128)[0]
    entries = (struct.unpack_from(">4sII", profile, 132 + 12 * i) for i in range(count))
    return {sig: (offset, size) for sig, offset, size in entries}


def swapped_primaries_profile() -> bytes:
    """sRGB profile with the red and blue primaries exchanged (stored red displays blue)."""
    data = bytearray(srgb_profile())
    count = struct.unpack_from(">I", data, 128)[0]
    table = _tag_table(bytes(data))
    for i in range(count):
        pos = 132 + 12 * i
        sig = bytes(data[pos:pos + 4])
        swap = {b"rXYZ": b"bXYZ", b"bXYZ": b"rXYZ"}.get(sig)
        if swap:
            struct.pack_into(">II", data, pos + 4, *table[swap])
    data[84:100] = bytes(16)  # profile ID (MD5) no longer matches; zero means "not computed"
    old_name, new_name = "sRGB built-in".encode("utf-16-be"), "BGR swapped!!".encode("utf-16-be")
    return bytes(data).replace(old_name, new_name)


def _srgb_to_xyz_d50(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    r, g, b = lin
    return (
        0.4360747 * r + 0.3850649 * g + 0.1430804 * b,
        0.2225045 * r + 0.7168786 * g + 0.0606169 * b,
        0.0139322 * r + 0.0971045 * g + 0.7141733 * b,
    )


def _ink_model(inks: tuple[RGB, ...]) -> Callable[[tuple[float, ...]], tuple[float, float, float]]:
    """Subtractive model: each ink multiplies the paper colour by its own colour."""
    def rgb(cmyk: tuple[float, ...]) -> tuple[float, float, float]:
        out = [1.0, 1.0, 1.0]
        for amount, ink in zip(cmyk, inks):
            for ch in range(3):
                out[ch] *= 1 - amount * (1 - ink[ch] / 255)
        return out[0], out[1], out[2]
    return rgb


def cmyk_profile(inks: tuple[RGB, RGB, RGB, RGB] = PURE_INKS, grid: int = 5) -> bytes:
    """ICC v2 CMYK input profile (lut16 A2B0 to XYZ) built from a simple ink model."""
    model, points = _ink_model(inks), [i / (grid - 1) for i in range(grid)]
    clut = bytearray()
    for c in points:
        for m in points:
            for y in points:
                for k in points:
                    xyz = _srgb_to_xyz_d50(model((c, m, y, k)))
                    clut += struct.pack(">3H", *(min(0xFFFF, round(v * 0x8000)) for v in xyz))
    identity = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x10000)
    ramp = struct.pack(">2H", 0, 0xFFFF)
    a2b0 = (b"mft2\0\0\0\0" + bytes([4, 3, grid, 0]) + identity + struct.pack(">2H", 2, 2)
            + ramp * 4 + bytes(clut) + ramp * 3)
    text = b"CMYK test profile\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + bytes(12) + bytes(67)
    wtpt = b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 0x10000) for v in (0.9642, 1.0, 0.8249)))
    return _icc(b"scnr", b"CMYK", b"XYZ ", {b"desc": desc, b"wtpt": wtpt, b"A2B0": a2b0})


def _icc(cls: bytes, space: bytes, pcs: bytes, tags: dict[bytes, bytes]) -> bytes:
    """Assemble an ICC v2.1 profile from its tags."""
    table_len = 4 + 12 * len(tags)
    offset, table, body = 128 + table_len, b"", b""
    for sig, data in tags.items():
        data += b"\0" * (-len(data) % 4)
        table += struct.pack(">4sII", sig, offset + len(body), len(data))
        body += data
    size = 128 + table_len + len(body)
    illuminant = struct.pack(">3i", 63190, 65536, 54061)  # D50
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + cls + space + pcs
              + bytes(12) + b"acsp" + bytes(24) + struct.pack(">I", 0) + illuminant + bytes(48))
    return header + struct.pack(">I", len(tags)) + table + body


def cmyk_jpeg(colour: tuple[int, int, int, int] = (255, 0, 0, 0), size: tuple[int, int] = (200, 200),
              icc: bytes | None = None) -> bytes:
    """Solid CMYK JPEG (Adobe APP14, inverted as Photoshop writes it), optionally with ICC."""
    extra = {"icc_profile": icc} if icc else {}
    return encode(Image.new("CMYK", size, colour), "JPEG", quality=95, **extra)


def rgb_jpeg_with_profile(colour: RGB, profile: bytes, size: tuple[int, int] = (200, 200)) -> bytes:
    """Solid RGB JPEG tagged with the given ICC profile."""
    return encode(Image.new("RGB", size, colour), "JPEG", quality=95, icc_profile=profile)


# --- hand-written containers and hostile files ----------------------------------------------------


def png_chunk(tag: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def raw_png(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 2,
            idat: bytes | None = None, before: Iterable[bytes] = (), after: Iterable[bytes] = (),
            iend: bool = True) -> bytes:
    """PNG assembled chunk by chunk; `idat` defaults to one black row (fine for header tests)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (1 + width * 3)) if idat is None else idat
    chunks = [png_chunk(b"IHDR", ihdr), *before, png_chunk(b"IDAT", idat), *after]
    return PngImagePlugin._MAGIC + b"".join(chunks) + (png_chunk(b"IEND", b"") if iend else b"")


def png_header_only(width: int = 300, height: int = 300) -> bytes:
    """PNG signature and IHDR, nothing else."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PngImagePlugin._MAGIC + png_chunk(b"IHDR", ihdr)


def ztxt_bomb(where: str = "before", kind: bytes = b"zTXt") -> bytes:
    """Small PNG whose zTXt/iTXt chunk inflates past PngImagePlugin.MAX_TEXT_CHUNK."""
    payload = zlib.compress(b"A" * (PngImagePlugin.MAX_TEXT_CHUNK + 1024), 9)
    body = b"Comment\0\0" + payload if kind == b"zTXt" else b"Comment\0\1\0en\0c\0" + payload
    chunk = png_chunk(kind, body)
    valid = zlib.compress(b"".join(b"\x00" + b"\x80" * 300 for _ in range(300)))
    before, after = ([chunk], []) if where == "before" else ([], [chunk])
    return raw_png(300, 300, idat=valid, before=before, after=after)


def text_memory_bomb() -> bytes:
    """PNG whose zTXt chunks, each under MAX_TEXT_CHUNK, add up past MAX_TEXT_MEMORY."""
    size = PngImagePlugin.MAX_TEXT_CHUNK - 1024
    payload = zlib.compress(b"B" * size, 9)
    count = PngImagePlugin.MAX_TEXT_MEMORY // size + 2
    chunks = [png_chunk(b"zTXt", b"k%d\0\0" % i + payload) for i in range(count)]
    return raw_png(300, 300, before=chunks)


def apng_claiming_frames(frames: int) -> bytes:
    """Small PNG whose acTL chunk declares `frames` animation frames."""
    actl = png_chunk(b"acTL", struct.pack(">II", frames, 0))
    valid = zlib.compress(b"".join(b"\x00" + b"\x40" * 600 for _ in range(200)))
    return raw_png(200, 200, idat=valid, before=[actl])


def png_bomb(width: int = 60000, height: int = 60000) -> bytes:
    """Valid-looking PNG whose IHDR claims huge dimensions."""
    return raw_png(width, height)


def jpeg_with_size(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF header is patched to claim other dimensions."""
    data = bytearray(encode(Image.new("RGB", (16, 16), RED), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def gif_with_size(width: int, height: int) -> bytes:
    """A real small GIF whose screen and frame descriptors claim other dimensions."""
    data = bytearray(encode(Image.new("P", (16, 16), 1), "GIF"))
    struct.pack_into("<HH", data, 6, width, height)
    frame = data.index(b",", 13)
    struct.pack_into("<HH", data, frame + 5, width, height)
    return bytes(data)


def webp_with_size(width: int, height: int) -> bytes:
    """Extended-format WebP whose VP8X canvas claims other dimensions."""
    def chunk(tag: bytes, body: bytes) -> bytes:
        return tag + struct.pack("<I", len(body)) + body + b"\0" * (len(body) % 2)
    vp8x = chunk(b"VP8X", bytes(4) + (width - 1).to_bytes(3, "little")
                 + (height - 1).to_bytes(3, "little"))
    vp8l = chunk(b"VP8L", b"\x2f" + struct.pack("<I", (width - 1) % 16384 | ((height - 1) % 16384) << 14)
                 + bytes(64))
    body = b"WEBP" + vp8x + vp8l
    return b"RIFF" + struct.pack("<I", len(body)) + body


def jpeg_header_only() -> bytes:
    """A JPEG cut right after its frame header (SOF), before any scan."""
    data = photo_jpeg(300, 300)
    sof = data.index(b"\xff\xc0")
    return data[: sof + 2 + struct.unpack_from(">H", data, sof + 2)[0]]


def truncated(data: bytes, fraction: float = 0.6) -> bytes:
    """The first `fraction` of a file."""
    return data[: int(len(data) * fraction)]


def elf_header() -> bytes:
    """Header of a 64-bit little-endian Linux executable."""
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    rest = struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    return ident + rest + bytes(256)


HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="300" '
       b'height="300"><script>alert(1)</script><rect width="300" height="300"/></svg>')
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TEXT = b"just some words, not an image at all\n" * 10
