"""Configuration checks of the avatars app (`manage.py check`, and the host's start-up)."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from PIL import features

from avatars import conf
from mediakit.checks import CONFIGURATION, storage_folder_warnings

# Pillow features the pipeline needs: decoders for every accepted upload, encoders for every output.
PILLOW_CODECS = (("jpg", "JPEG"), ("zlib", "PNG"))
PILLOW_MODULES = (("webp", "WebP"),)


@register(CONFIGURATION)
def check_settings(app_configs=None, **kwargs) -> list[CheckMessage]:
    errors: list[CheckMessage] = list(conf.settings.check())
    if errors:
        return errors
    if conf.storage_alias() not in settings.STORAGES:
        errors.append(
            Error(
                f"AVATARS['STORAGE'] names {conf.storage_alias()!r}, which STORAGES does not have.",
                hint=f"Use one of: {', '.join(settings.STORAGES)} (the default is 'default').",
                id="avatars.E006",
            )
        )
    else:
        errors += storage_folder_warnings(conf.storage_alias(), "AVATARS", "avatars.W002")
    base = conf.base_url()
    if not (base.startswith("/") and base != "/" or base.startswith(("http://", "https://"))):
        errors.append(
            Error(
                f"AVATARS['BASE_URL'] is {base!r}.",
                hint="Use a path below the site such as /files/avatars, or an absolute http(s) URL of a CDN.",
                id="avatars.E001",
            )
        )
    if not isinstance(conf.max_upload_bytes(), int) or conf.max_upload_bytes() <= 0:
        errors.append(
            Error(
                f"AVATARS['MAX_UPLOAD_BYTES'] must be a positive number of bytes, not {conf.max_upload_bytes()!r}.",
                id="avatars.E003",
            )
        )
    return errors


@register(CONFIGURATION)
def check_pillow(app_configs=None, **kwargs) -> list[Error]:
    missing = [label for codec, label in PILLOW_CODECS if not features.check_codec(codec)]
    missing += [label for module, label in PILLOW_MODULES if not features.check_module(module)]
    if not missing:
        return []
    return [
        Error(
            f"Pillow was built without {', '.join(missing)} support; such avatars cannot be processed.",
            hint="Install the Pillow wheel from PyPI, or build it against libjpeg, zlib and libwebp.",
            id="avatars.E002",
        )
    ]


@register(CONFIGURATION)
def check_shared_rate_limits(app_configs=None, **kwargs) -> list[Warning]:
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if settings.DEBUG or not getattr(settings, "RATELIMIT_ENABLE", True) or not backend.endswith("LocMemCache"):
        return []
    return [
        Warning(
            "Rate limits are counted in a per-process cache, so each server process counts on its own.",
            hint=f"Point CACHES[{alias!r}] (RATELIMIT_USE_CACHE) at a cache every process shares, such as Redis.",
            id="avatars.W001",
        )
    ]
