"""What phones send, made deterministically: HEIC with orientation and GPS, AVIF, and their videos
(HEVC in QuickTime with a rotation and a GPS location, VP9 WebM, 10-bit, 4:4:4, 120 fps, odd sizes)."""

from __future__ import annotations

import io

from PIL import Image

from testkit import videos
from testkit.images.base import XMP, exif_block, quadrants, stored_for

# What an iPhone writes in a clip's `udta`: where it was shot (ISO 6709).
LOCATION = "+48.8566+002.3522/"


def heic(upright: Image.Image | None = None, orientation: int = 1, *, quality: int = 90) -> bytes:
    """A HEIC (HEVC still, major brand `heic`) showing `upright` under `orientation`, with EXIF (GPS,
    a description) and XMP. libheif stores the turn as the container's irot/imir, as an iPhone does."""
    import pillow_heif  # noqa: F401  (registers HEIF with Pillow)

    pillow_heif.register_heif_opener()
    upright = upright or quadrants(320, 240)
    out = io.BytesIO()
    stored_for(upright, orientation).save(out, "HEIF", quality=quality, exif=exif_block(orientation).tobytes(), xmp=XMP)
    return out.getvalue()


def avif(upright: Image.Image | None = None, *, quality: int = 80) -> bytes:
    """An AVIF (Pillow's own libavif) with EXIF GPS."""
    out = io.BytesIO()
    (upright or quadrants(320, 240)).save(out, "AVIF", quality=quality, exif=exif_block().tobytes())
    return out.getvalue()


def hevc_mov(
    *,
    rotation: int = -90,
    audio: str | None = "aac",
    width: int = 64,
    height: int = 48,
    frames: int = 16,
    rate: int = 8,
) -> bytes:
    """An iPhone-like clip: HEVC in QuickTime (major brand `qt  `), turned by its display matrix (PyAV's sign:
    -90 is a portrait clip), AAC audio, and a GPS location in its metadata."""
    return videos.encode(
        "libx265",
        container="mov",
        rotation=rotation,
        audio=audio,
        width=width,
        height=height,
        frames=frames,
        rate=rate,
        metadata=(("location", LOCATION),),
    )


def vp9_webm(
    *, audio: str | None = "libopus", width: int = 64, height: int = 48, frames: int = 16, rate: int = 8
) -> bytes:
    """An Android screen recording: VP9 with Opus in WebM."""
    return videos.encode(
        "libvpx-vp9", container="webm", audio=audio, width=width, height=height, frames=frames, rate=rate
    )
