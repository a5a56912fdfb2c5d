"""Configuration checks: `manage.py check`, runserver and the WSGI/ASGI start-up run them."""

import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from mediakit.checks import CONFIGURATION

STORAGE_TYPES = ("local", "cloud")
# (setting of the storage type, setting of its local folder)
STORAGE_SETTINGS = (
    ("AVATAR_STORAGE_TYPE", "AVATAR_STORAGE_PATH"),
    ("MEDIA_STORAGE_TYPE", "PERSONA_MEDIA_STORAGE_PATH"),
)


@register(CONFIGURATION)
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:
    from critvue.settings import DEVELOPMENT_SECRET_KEY

    if settings.DEBUG or settings.SECRET_KEY != DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "DEBUG is off but SECRET_KEY is missing or the development default.",
            hint="Set SECRET_KEY to a long random value, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".',
            id="critvue.E001",
        )
    ]


@register(CONFIGURATION)
def check_storages(app_configs=None, **kwargs) -> list[Error]:
    errors: list[Error] = []
    for type_setting, path_setting in STORAGE_SETTINGS:
        kind = getattr(settings, type_setting)
        if kind not in STORAGE_TYPES:
            errors.append(Error(f"{type_setting} is {kind!r}.", hint="Use 'local' or 'cloud'.", id="critvue.E002"))
        elif kind == "cloud" and not settings.AWS_STORAGE_BUCKET_NAME:
            errors.append(
                Error(
                    f"{type_setting} is 'cloud' but AWS_STORAGE_BUCKET_NAME is empty.",
                    hint="Set AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL for non-AWS S3).",
                    id="critvue.E005",
                )
            )
        elif kind == "local":
            errors.extend(_check_folder(path_setting, getattr(settings, path_setting)))
    return errors


def _check_folder(name: str, value: str) -> list[Error]:
    path = Path(value)
    if not path.is_absolute():
        return [
            Error(
                f"{name} ({value!r}) is not an absolute path.",
                hint="Give the full path of the folder.",
                id="critvue.E003",
            )
        ]
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return [
            Error(
                f"{name} ({value}) is not a writable folder.",
                hint=f"Create it and give the server's user write access to {existing}.",
                id="critvue.E004",
            )
        ]
    return []


@register(CONFIGURATION)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[Error]:
    from critvue.clients import parse_networks

    try:
        parse_networks(settings.TRUSTED_PROXIES)
    except ValueError as exc:
        return [
            Error(
                f"TRUSTED_PROXIES: {exc}.",
                id="critvue.E006",
                hint="List the proxies in front of the app (e.g. 127.0.0.1,::1 for nginx on the same "
                "machine, or 10.0.0.0/24), comma-separated.",
            )
        ]
    return []
