"""Avatar configuration checks left after critvue.checks (storage, limits and qualities live there)."""
from django.conf import settings
from django.core.checks import Error, Warning, register
from PIL import features

from avatars import conf
from mediakit import conf as mediakit_conf
from mediakit.checks import CONFIGURATION


# Pillow features the pipeline needs: decoders for every accepted upload, encoders for every output.
PILLOW_CODECS = (("jpg", "JPEG"), ("zlib", "PNG"))
PILLOW_MODULES = (("webp", "WebP"),)


@register(CONFIGURATION)
def check_base_url(app_configs=None, **kwargs) -> list[Error]:
    base = conf.base_url()
    if base.startswith("/") and base != "/" or base.startswith(("http://", "https://")):
        return []
    return [Error(
        f"AVATAR_BASE_URL is {base!r}.",
        hint="Use a path below the site such as /files/avatars, or an absolute http(s) URL of a CDN.",
        id="avatars.E001",
    )]


@register(CONFIGURATION)
def check_pillow(app_configs=None, **kwargs) -> list[Error]:
    missing = [label for codec, label in PILLOW_CODECS if not features.check_codec(codec)]
    missing += [label for module, label in PILLOW_MODULES if not features.check_module(module)]
    if not missing:
        return []
    return [Error(
        f"Pillow was built without {', '.join(missing)} support; such avatars cannot be processed.",
        hint="Install the Pillow wheel from PyPI, or build it against libjpeg, zlib and libwebp.",
        id="avatars.E002",
    )]


@register(CONFIGURATION)
def check_shared_rate_limits(app_configs=None, **kwargs) -> list[Warning]:
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not conf.rate_limiting() or not backend.endswith("LocMemCache"):
        return []
    return [Warning(
        "Rate limits are counted in a per-process cache, so each server process counts on its own.",
        hint="Set REDIS_URL so that every process shares the avatar rate limits.",
        id="avatars.W001",
    )]


# (setting reader, name, lowest, highest) as the image encoders accept them.
RANGES = ((mediakit_conf.jpeg_quality, "JPEG_QUALITY", 1, 95), (mediakit_conf.webp_quality, "WEBP_QUALITY", 1, 100),
          (mediakit_conf.png_compression, "PNG_COMPRESSION", 0, 9))


@register(CONFIGURATION)
def check_limits(app_configs=None, **kwargs) -> list[Error]:
    errors = [] if conf.max_upload_bytes() > 0 else [Error(
        f"MAX_AVATAR_SIZE must be a positive number of bytes, not {conf.max_upload_bytes()!r}.", id="avatars.E003")]
    errors += [Error(f"{name} must be between {low} and {high}, not {read()!r}.", id="avatars.E004")
               for read, name, low, high in RANGES if not low <= read() <= high]
    return errors
