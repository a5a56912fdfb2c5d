"""Avatar settings: defaults here, values from the project's settings, read at call time."""
from django.conf import settings

from avatars.imaging import MAX_SIDE, MIN_SIDE, VARIANT_SIZES

STORAGE_ALIAS = "avatars"  # the entry of settings.STORAGES that holds every variant file
DEFAULT_SIZE = "medium"  # the variant behind the profile's avatar_url and a plain GET
UPLOAD_RATE = "5/m"  # API contract: uploads per user per fixed 60-second window
DELETE_RATE = "10/m"  # API contract: deletes per user per fixed 60-second window
# Days an unreferenced file is left alone by cleanup_orphaned_avatars (an upload in flight
# writes its files a moment before its rows commit).
ORPHAN_DAYS = 30

__all__ = ["MAX_SIDE", "MIN_SIDE", "VARIANT_SIZES", "STORAGE_ALIAS", "DEFAULT_SIZE", "UPLOAD_RATE",
           "DELETE_RATE", "ORPHAN_DAYS", "value"]

DEFAULTS = {
    "MAX_AVATAR_SIZE": 5 * 1024 * 1024,  # bytes of the upload itself
    "AVATAR_BASE_URL": "/files/avatars",
    "AVATAR_STRIP_METADATA": True,
    "JPEG_QUALITY": 85,
    "WEBP_QUALITY": 85,
    "PNG_COMPRESSION": 6,
    "ENABLE_RATE_LIMITING": True,
}


def value(name: str):
    """The project's setting `name`, or this app's default for it."""
    return getattr(settings, name, DEFAULTS[name])
