"""Avatar settings: this app's defaults, and typed readers of the project's settings (read at call time)."""
from django.conf import settings
from django.core.files.storage import Storage, storages

STORAGE_ALIAS = "avatars"  # the entry of settings.STORAGES that holds every variant file
VARIANT_SIZES: dict[str, int] = {"thumbnail": 64, "small": 128, "medium": 256, "large": 512, "full": 1024}
DEFAULT_SIZE = "medium"  # the variant behind the profile's avatar_url and a plain GET
# API contract: below 100 px even the 128 px variant would be mostly upscaled blur; 4096 px caps a
# full decode (PNG, WebP, GIF) at 4096² × 4 B = 64 MiB.
MIN_SIDE = 100
MAX_SIDE = 4096
MAX_FRAMES = 1000  # no avatar animation needs more; only frame 0 is used
UPLOAD_RATE = "5/m"  # API contract: uploads per user per fixed 60-second window
DELETE_RATE = "10/m"  # API contract: deletes per user per fixed 60-second window
# Days an unreferenced file is left alone by cleanup_orphaned_avatars (an upload in flight
# writes its files a moment before its rows commit).
ORPHAN_DAYS = 30

DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # of the upload itself


def storage() -> Storage:
    """The storage that holds every variant file (a local folder served by the app, or S3)."""
    return storages[STORAGE_ALIAS]


def max_upload_bytes() -> int:
    return getattr(settings, "MAX_AVATAR_SIZE", DEFAULT_MAX_BYTES)


def base_url() -> str:
    """Where local variant files are served: a path of this site, or an absolute CDN URL.

    A project setting (its default lives in settings.py), since the avatars storage is built with it.
    """
    return settings.AVATAR_BASE_URL


def strip_metadata() -> bool:
    return getattr(settings, "AVATAR_STRIP_METADATA", True)


def rate_limiting() -> bool:
    """A project setting (settings.py), shared with django-ratelimit's RATELIMIT_ENABLE."""
    return settings.ENABLE_RATE_LIMITING
