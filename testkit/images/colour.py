"""CMYK and ICC test images: profiles built by hand, colours that must come out in sRGB."""

from __future__ import annotations

import struct
from collections.abc import Callable

from PIL import Image

from testkit.images.base import PURE_INKS, RGB, encode, srgb_profile

# --- CMYK and ICC -------------------------------------------------------------------------------


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
        sig = bytes(data[pos : pos + 4])
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
    a2b0 = (
        b"mft2\0\0\0\0"
        + bytes([4, 3, grid, 0])
        + identity
        + struct.pack(">2H", 2, 2)
        + ramp * 4
        + bytes(clut)
        + ramp * 3
    )
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
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + cls
        + space
        + pcs
        + bytes(12)
        + b"acsp"
        + bytes(24)
        + struct.pack(">I", 0)
        + illuminant
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + body


def cmyk_jpeg(
    colour: tuple[int, int, int, int] = (255, 0, 0, 0), size: tuple[int, int] = (200, 200), icc: bytes | None = None
) -> bytes:
    """Solid CMYK JPEG (Adobe APP14, inverted as Photoshop writes it), optionally with ICC."""
    extra = {"icc_profile": icc} if icc else {}
    return encode(Image.new("CMYK", size, colour), "JPEG", quality=95, **extra)


def rgb_jpeg_with_profile(colour: RGB, profile: bytes, size: tuple[int, int] = (200, 200)) -> bytes:
    """Solid RGB JPEG tagged with the given ICC profile."""
    return encode(Image.new("RGB", size, colour), "JPEG", quality=95, icc_profile=profile)
