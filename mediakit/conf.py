"""mediakit's settings, `MEDIAKIT = {...}` in the host's settings: what every app's images and errors share.

| key | default | meaning |
|---|---|---|
| JPEG_QUALITY | 85 | quality of every JPEG rendered (avatar variants, previews), 1–95 |
| WEBP_QUALITY | 85 | quality of every WebP rendered (transparent images), 1–100 |
| PNG_COMPRESSION | 6 | zlib level of a PNG rendered, 0–9 |
| RETRY_AFTER_SECONDS | 30 | `Retry-After` of a 503 answered while a database, cache or storage is down |
"""

from mediakit.appsettings import AppSettings
from mediakit.imaging import Encoding

DEFAULTS = Encoding()  # JPEG and WebP quality 85, PNG compression 6

settings = AppSettings(
    "MEDIAKIT",
    {
        "JPEG_QUALITY": DEFAULTS.jpeg_quality,
        "WEBP_QUALITY": DEFAULTS.webp_quality,
        "PNG_COMPRESSION": DEFAULTS.png_compression,
        "RETRY_AFTER_SECONDS": 30,
    },
    check_id="mediakit.E001",
)


def jpeg_quality() -> int:
    return settings.JPEG_QUALITY


def webp_quality() -> int:
    return settings.WEBP_QUALITY


def png_compression() -> int:
    return settings.PNG_COMPRESSION


def encoding() -> Encoding:
    """The encoders' settings as configured now."""
    return Encoding(jpeg_quality=jpeg_quality(), webp_quality=webp_quality(), png_compression=png_compression())
