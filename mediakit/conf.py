"""Encoder settings shared by every image the project renders (avatar variants, previews): defaults
here, values from the project's settings, read at call time."""
from django.conf import settings

from mediakit.imaging import Encoding

DEFAULTS = Encoding()  # JPEG and WebP quality 85, PNG compression 6


def jpeg_quality() -> int:
    return getattr(settings, "JPEG_QUALITY", DEFAULTS.jpeg_quality)


def webp_quality() -> int:
    return getattr(settings, "WEBP_QUALITY", DEFAULTS.webp_quality)


def png_compression() -> int:
    return getattr(settings, "PNG_COMPRESSION", DEFAULTS.png_compression)


def encoding() -> Encoding:
    """The encoders' settings as configured now."""
    return Encoding(jpeg_quality=jpeg_quality(), webp_quality=webp_quality(), png_compression=png_compression())
