"""persona_media settings, `PERSONA_MEDIA = {...}` in the host's settings, read at call time.

| key | default | meaning |
|---|---|---|
| STORAGE | "default" | the entry of STORAGES that holds the media files and previews (never served by URL) |
| LOCATION | "persona_media" | folder of the files inside that storage ("" for a storage of their own) |
| MAX_UPLOAD_BYTES | 10485760 | largest upload (10 MiB); larger → 413 |
| MAX_VIDEO_SECONDS | 600 | longest video accepted |
| QUOTA_BYTES | 524288000 | stored bytes of one user's media at most (500 MiB) |
| URL_TTL | 3600 | seconds a signed download_url / preview_url works without credentials |
| ACCEL_REDIRECT | "" | an nginx internal location such as "/protected-media/": local downloads handed to nginx |
| PRESIGNED_REDIRECT | False | with S3: downloads answered by a redirect to a presigned URL |
| PRESIGNED_SECONDS | 300 | lifetime of such a presigned URL |
| JOB_TIME_LIMIT | 600 | seconds a video conversion may take; past it the job stops, the file fails `processing_timeout` |
| JOB_LEASE_SECONDS | 60 | how long a worker holds a job without renewing it (it renews every quarter of that); a worker that dies delays its job by at most this |
| JOB_MAX_ATTEMPTS | 3 | runs of one job (workers dying, storage failing) before it fails `processing_failed` |
| JOB_REQUEUE_SECONDS | 300 | a queued file no worker took within this is queued again by the sweep (a lost message) |
| SWEEP_SECONDS | 60 | how often a worker runs the sweep (`requeue_media_jobs`) itself |
"""

from django.core.files.storage import Storage, storages

from mediakit.appsettings import AppSettings

MIB = 1024 * 1024
# API.md: a description may hold up to 1000 characters.
DESCRIPTION_MAX_LENGTH = 1000
# Days an unreferenced file is left alone by cleanup_orphaned_media (an upload in flight writes
# its file a moment before its row commits).
ORPHAN_DAYS = 30
# API.md: previews fit inside 640x640 px, never upscaled.
PREVIEW_MAX_SIDE = 640

settings = AppSettings(
    "PERSONA_MEDIA",
    {
        "STORAGE": "default",
        "LOCATION": "persona_media",
        "MAX_UPLOAD_BYTES": 10 * MIB,
        "MAX_VIDEO_SECONDS": 600,
        "QUOTA_BYTES": 500 * MIB,
        "URL_TTL": 3600,
        "ACCEL_REDIRECT": "",
        "PRESIGNED_REDIRECT": False,
        "PRESIGNED_SECONDS": 300,
        "JOB_TIME_LIMIT": 600,
        "JOB_LEASE_SECONDS": 60,
        "JOB_MAX_ATTEMPTS": 3,
        "JOB_REQUEUE_SECONDS": 300,
        "SWEEP_SECONDS": 60,
    },
    check_id="persona_media.E004",
)


def storage_alias() -> str:
    return settings.STORAGE


def storage() -> Storage:
    """The storage that holds every media file (local folder or S3, never served directly)."""
    return storages[storage_alias()]


def location() -> str:
    """The files' folder inside the storage, "" or "name/" (with its slash)."""
    folder = str(settings.LOCATION).strip("/")
    return f"{folder}/" if folder else ""


def max_size() -> int:
    """Largest accepted upload, in bytes."""
    return settings.MAX_UPLOAD_BYTES


def accel_redirect_prefix() -> str:
    """nginx internal location for X-Accel-Redirect downloads from local storage, or ""."""
    return settings.ACCEL_REDIRECT or ""


def presigned_redirect() -> bool:
    """Whether downloads from S3 are answered with a redirect to a presigned URL."""
    return settings.PRESIGNED_REDIRECT


def presigned_seconds() -> int:
    """Lifetime of a presigned download URL."""
    return settings.PRESIGNED_SECONDS


def url_ttl() -> int:
    """Seconds a signed URL works after the response that carried it."""
    return settings.URL_TTL


def max_video_seconds() -> float:
    return settings.MAX_VIDEO_SECONDS


def quota_bytes() -> int:
    """Stored bytes of one user's media files at most."""
    return settings.QUOTA_BYTES


def job_time_limit() -> float:
    return settings.JOB_TIME_LIMIT


def job_lease_seconds() -> float:
    return settings.JOB_LEASE_SECONDS


def job_max_attempts() -> int:
    return settings.JOB_MAX_ATTEMPTS


def job_requeue_seconds() -> float:
    return settings.JOB_REQUEUE_SECONDS


def sweep_seconds() -> float:
    return settings.SWEEP_SECONDS
