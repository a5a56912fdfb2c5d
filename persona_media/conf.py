"""persona_media settings and their defaults; read on every call, so tests can override them."""
from django.conf import settings
from django.core.files.storage import Storage, storages

STORAGE_ALIAS = "persona_media"
MIB = 1024 * 1024
# API.md: a description may hold up to 1000 characters.
DESCRIPTION_MAX_LENGTH = 1000
# API.md and the seed: uploads of at most 10 MiB.
DEFAULT_MAX_SIZE = 10 * MIB
# Days an unreferenced file is left alone by cleanup_orphaned_media (an upload in flight writes
# its file a moment before its row commits).
ORPHAN_DAYS = 30


def storage() -> Storage:
    """The storage that holds every media file (local folder or S3, never served directly)."""
    return storages[STORAGE_ALIAS]


def max_size() -> int:
    """Largest accepted upload, in bytes."""
    return getattr(settings, "PERSONA_MEDIA_MAX_SIZE", DEFAULT_MAX_SIZE)


def accel_redirect_prefix() -> str:
    """nginx internal location for X-Accel-Redirect downloads from local storage, or ""."""
    return getattr(settings, "PERSONA_MEDIA_ACCEL_REDIRECT", "")


def presigned_redirect() -> bool:
    """Whether downloads from S3 are answered with a redirect to a presigned URL."""
    return getattr(settings, "PERSONA_MEDIA_PRESIGNED_REDIRECT", False)


def presigned_seconds() -> int:
    """Lifetime of a presigned download URL (a project setting: the S3 storage is built with it)."""
    return settings.PERSONA_MEDIA_PRESIGNED_SECONDS


# API.md: previews fit inside 640x640 px, never upscaled.
PREVIEW_MAX_SIDE = 640
DEFAULT_URL_TTL = 3600  # seconds a signed download or preview URL works
DEFAULT_MAX_VIDEO_SECONDS = 600
DEFAULT_QUOTA_BYTES = 500 * MIB


def url_ttl() -> int:
    """Seconds a signed URL works after the response that carried it (MEDIA_URL_TTL)."""
    return getattr(settings, "MEDIA_URL_TTL", DEFAULT_URL_TTL)


def max_video_seconds() -> float:
    return getattr(settings, "PERSONA_MEDIA_MAX_VIDEO_SECONDS", DEFAULT_MAX_VIDEO_SECONDS)


def quota_bytes() -> int:
    """Stored bytes of one user's media files at most (PERSONA_MEDIA_QUOTA_BYTES)."""
    return getattr(settings, "PERSONA_MEDIA_QUOTA_BYTES", DEFAULT_QUOTA_BYTES)
