"""Configuration checks of persona_media: its settings, its storage and the download hand-off."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.files.storage import FileSystemStorage

from mediakit import video
from mediakit.checks import CONFIGURATION, storage_folder_warnings
from mediakit.downloads import is_s3
from persona_media import conf

# S3 refuses presigned URLs that live longer than seven days.
MAX_PRESIGNED_SECONDS = 7 * 24 * 3600
POSITIVE = (
    "MAX_UPLOAD_BYTES",
    "MAX_VIDEO_SECONDS",
    "QUOTA_BYTES",
    "URL_TTL",
    "JOB_TIME_LIMIT",
    "JOB_LEASE_SECONDS",
    "JOB_MAX_ATTEMPTS",
    "JOB_REQUEUE_SECONDS",
    "SWEEP_SECONDS",
)


@register(CONFIGURATION)
def check_settings(app_configs=None, **kwargs) -> list[CheckMessage]:
    messages: list[CheckMessage] = list(conf.settings.check())
    if messages:
        return messages
    if conf.storage_alias() not in settings.STORAGES:
        return [
            Error(
                f"PERSONA_MEDIA['STORAGE'] names {conf.storage_alias()!r}, which STORAGES does not have.",
                hint=f"Use one of: {', '.join(settings.STORAGES)} (the default is 'default').",
                id="persona_media.E005",
            )
        ]
    messages += storage_folder_warnings(conf.storage_alias(), "PERSONA_MEDIA", "persona_media.W004")
    messages += [
        Error(
            f"PERSONA_MEDIA['{key}'] must be a positive number, not {getattr(conf.settings, key)!r}.",
            id="persona_media.E003",
        )
        for key in POSITIVE
        if not isinstance(getattr(conf.settings, key), (int, float)) or getattr(conf.settings, key) <= 0
    ]
    prefix = conf.accel_redirect_prefix()
    if prefix and not (prefix.startswith("/") and prefix.endswith("/")):
        messages.append(
            Error(
                f"PERSONA_MEDIA['ACCEL_REDIRECT'] ({prefix!r}) must start and end with '/'.",
                hint="Name the nginx internal location that serves the media folder, e.g. '/protected-media/'.",
                id="persona_media.E001",
            )
        )
    seconds = conf.presigned_seconds()
    if not isinstance(seconds, int) or not 0 < seconds <= MAX_PRESIGNED_SECONDS:
        messages.append(
            Error(
                f"PERSONA_MEDIA['PRESIGNED_SECONDS'] must be between 1 and {MAX_PRESIGNED_SECONDS}, not {seconds!r}.",
                id="persona_media.E002",
            )
        )
    if not video.available():
        messages.append(
            Warning(
                "PyAV is not installed, so every video upload is refused.",
                hint="Install the video extra: pip install 'critvue-media[video]'.",
                id="persona_media.W003",
            )
        )
    storage = conf.storage()
    if prefix and not isinstance(storage, FileSystemStorage):
        messages.append(
            Warning(
                "PERSONA_MEDIA['ACCEL_REDIRECT'] is set but the media storage is not a local folder; it is ignored.",
                hint="Use PERSONA_MEDIA['PRESIGNED_REDIRECT'] to hand S3 downloads off.",
                id="persona_media.W001",
            )
        )
    if conf.presigned_redirect() and not is_s3(storage):
        messages.append(
            Warning(
                "PERSONA_MEDIA['PRESIGNED_REDIRECT'] is on but the media storage is not S3; it is ignored.",
                hint="Use PERSONA_MEDIA['ACCEL_REDIRECT'] to hand local downloads to nginx.",
                id="persona_media.W002",
            )
        )
    return messages
