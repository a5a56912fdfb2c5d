"""Configuration checks of mediakit, and the tag every app's configuration checks carry."""

from django.core.checks import Error, Warning, register

# Checks that judge configuration only (no models, URLs or schema): cheap enough for a health probe.
CONFIGURATION = "configuration"


@register(CONFIGURATION)
def check_encoders(app_configs=None, **kwargs) -> list[Error]:
    """MEDIAKIT's keys, and encoder settings within what the encoders accept."""
    from mediakit import conf

    errors = conf.settings.check()
    if errors:
        return errors
    ranges = (
        (conf.jpeg_quality, "JPEG_QUALITY", 1, 95),
        (conf.webp_quality, "WEBP_QUALITY", 1, 100),
        (conf.png_compression, "PNG_COMPRESSION", 0, 9),
    )
    errors += [
        Error(
            f"MEDIAKIT['{name}'] must be between {low} and {high}, not {read()!r}.",
            hint="Leave it out for the default (85 for the qualities, 6 for PNG).",
            id="mediakit.E002",
        )
        for read, name, low, high in ranges
        if not isinstance(read(), int) or not low <= read() <= high
    ]
    retry = conf.settings.RETRY_AFTER_SECONDS
    if not isinstance(retry, int) or retry < 0:
        errors.append(
            Error(f"MEDIAKIT['RETRY_AFTER_SECONDS'] must be 0 or more seconds, not {retry!r}.", id="mediakit.E003")
        )
    return errors


@register(CONFIGURATION)
def check_heic(app_configs=None, **kwargs) -> list[Warning]:
    """HEIC/HEIF needs the [heic] extra: without it an iPhone's photo is refused as an unsupported type."""
    from mediakit import heif

    if heif.available():
        return []
    return [
        Warning(
            "pillow-heif is not installed, so HEIC/HEIF photos (an iPhone's) are refused.",
            hint="Install the heic extra: pip install 'critvue-media[heic]'.",
            id="mediakit.W001",
        )
    ]


def storage_folder_warnings(alias: str, setting: str, check_id: str) -> list[Warning]:
    """A local storage whose folder is relative (a stock project leaves MEDIA_ROOT empty) writes into
    whatever folder the server happens to start in."""
    from pathlib import Path

    from django.core.files.storage import FileSystemStorage, storages

    storage = storages[alias]
    if not isinstance(storage, FileSystemStorage) or Path(storage.base_location).is_absolute():
        return []
    return [
        Warning(
            f"STORAGES[{alias!r}], where {setting} keeps its files, has no absolute folder "
            f"({storage.base_location!r}): files land in the folder the server starts in.",
            hint="Set MEDIA_ROOT (or that storage's OPTIONS['location']) to an absolute path.",
            id=check_id,
        )
    ]
