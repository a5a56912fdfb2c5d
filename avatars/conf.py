"""Avatar settings, `AVATARS = {...}` in the host's settings, read at call time; fixed sizes and limits.

| key | default | meaning |
|---|---|---|
| STORAGE | "default" | the entry of STORAGES that holds the variant files (public: their URLs are shown to anyone) |
| LOCATION | "avatars" | folder of the variant files inside that storage ("" for a storage of their own) |
| BASE_URL | "/files/avatars" | where this app serves variant files of a local storage (FileSystemStorage); an absolute http(s) URL when a CDN or web server serves that folder instead |
| MAX_UPLOAD_BYTES | 5242880 | largest upload accepted (5 MiB) |
| STRIP_METADATA | True | remove EXIF (GPS included), XMP, IPTC, ICC and comments from every variant |
| UPLOAD_RATE | "5/m" | uploads per user and fixed window (django-ratelimit's notation); None: unlimited |
| DELETE_RATE | "10/m" | deletes per user and fixed window; None: unlimited |
"""

from django.core.files.storage import FileSystemStorage, Storage, storages

from mediakit.appsettings import AppSettings

VARIANT_SIZES: dict[str, int] = {"thumbnail": 64, "small": 128, "medium": 256, "large": 512, "full": 1024}
DEFAULT_SIZE = "medium"  # the variant behind the profile's avatar_url and a plain GET
# API contract: below 100 px even the 128 px variant would be mostly upscaled blur; 4096 px caps a
# full decode (PNG, WebP, GIF) at 4096² × 4 B = 64 MiB.
MIN_SIDE = 100
MAX_SIDE = 4096
MAX_FRAMES = 1000  # no avatar animation needs more; only frame 0 is used
# Days an unreferenced file is left alone by cleanup_orphaned_avatars (an upload in flight
# writes its files a moment before its rows commit).
ORPHAN_DAYS = 30
# Seconds the signed preview URL of a waiting avatar works (its owner's app shows it while it waits).
PENDING_URL_TTL = 3600

settings = AppSettings(
    "AVATARS",
    {
        "STORAGE": "default",
        "LOCATION": "avatars",
        "BASE_URL": "/files/avatars",
        "MAX_UPLOAD_BYTES": 5 * 1024 * 1024,
        "STRIP_METADATA": True,
        "UPLOAD_RATE": "5/m",
        "DELETE_RATE": "10/m",
    },
    check_id="avatars.E005",
)


def storage_alias() -> str:
    return settings.STORAGE


def storage() -> Storage:
    """The storage that holds every variant file (a local folder served by the app, or S3)."""
    return storages[storage_alias()]


def location() -> str:
    """The variant files' folder inside the storage, "" or "name/" (with its slash)."""
    folder = str(settings.LOCATION).strip("/")
    return f"{folder}/" if folder else ""


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_BYTES


def base_url() -> str:
    """Where local variant files are served: a path of this site, or an absolute CDN URL (no trailing slash)."""
    return str(settings.BASE_URL).rstrip("/") or "/"


def strip_metadata() -> bool:
    return settings.STRIP_METADATA


def serves_files() -> bool:
    """Whether the variant files live in a local folder, so their URLs are this app's (or BASE_URL's)."""
    return isinstance(storage(), FileSystemStorage)


def file_url(stored_name: str) -> str:
    """The public URL of a variant file: under BASE_URL for a local folder, the storage's own otherwise."""
    if not serves_files():
        return storage().url(stored_name)
    return f"{base_url().rstrip('/')}/{stored_name.removeprefix(location())}"
