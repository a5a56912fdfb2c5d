"""Checks of the upload limit and the download hand-off (the storage settings are checked in critvue.checks)."""
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from mediakit.checks import CONFIGURATION
from persona_media import conf


# S3 refuses presigned URLs that live longer than seven days.
MAX_PRESIGNED_SECONDS = 7 * 24 * 3600


@register(CONFIGURATION)
def check_download_handoff(app_configs=None, **kwargs) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if conf.max_size() <= 0:
        messages.append(Error(f"PERSONA_MEDIA_MAX_SIZE must be a positive number of bytes, not {conf.max_size()!r}.",
                              id="persona_media.E003"))
    prefix = conf.accel_redirect_prefix()
    if prefix and not (prefix.startswith("/") and prefix.endswith("/")):
        messages.append(Error(
            f"PERSONA_MEDIA_ACCEL_REDIRECT ({prefix!r}) must start and end with '/'.",
            hint="Name the nginx internal location that serves PERSONA_MEDIA_STORAGE_PATH, e.g. '/protected-media/'.",
            id="persona_media.E001"))
    seconds = conf.presigned_seconds()
    if not 0 < seconds <= MAX_PRESIGNED_SECONDS:
        messages.append(Error(
            f"PERSONA_MEDIA_PRESIGNED_SECONDS must be between 1 and {MAX_PRESIGNED_SECONDS}, not {seconds!r}.",
            id="persona_media.E002"))
    cloud = getattr(settings, "MEDIA_STORAGE_TYPE", "local") == "cloud"
    if prefix and cloud:
        messages.append(Warning(
            "PERSONA_MEDIA_ACCEL_REDIRECT is set but MEDIA_STORAGE_TYPE is 'cloud'; it is ignored.",
            hint="Use PERSONA_MEDIA_PRESIGNED_REDIRECT to hand S3 downloads off.", id="persona_media.W001"))
    if conf.presigned_redirect() and not cloud:
        messages.append(Warning(
            "PERSONA_MEDIA_PRESIGNED_REDIRECT is on but MEDIA_STORAGE_TYPE is 'local'; it is ignored.",
            hint="Use PERSONA_MEDIA_ACCEL_REDIRECT to hand local downloads to nginx.", id="persona_media.W002"))
    return messages
