"""Avatar operations that span processing, stored files, rows and transactions."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction

from avatars import conf
from avatars.imaging import ProcessedAvatar, Variant, process_avatar
from avatars.models import Avatar, AvatarVariant
from mediakit.files import WrittenFiles
from mediakit.orphans import SweepReport, sweep_orphans

if TYPE_CHECKING:
    from accounts.models import User

# 16 hex digits: unguessable names that change with every upload, so URLs can be cached forever.
TOKEN_BYTES = 8


def process_upload(upload: File) -> ProcessedAvatar:
    """Validate and render an upload with the configured sizes and encoder settings."""
    upload.seek(0)
    return process_avatar(
        upload,
        sizes=conf.VARIANT_SIZES,
        min_side=conf.MIN_SIDE,
        max_side=conf.MAX_SIDE,
        jpeg_quality=conf.value("JPEG_QUALITY"),
        webp_quality=conf.value("WEBP_QUALITY"),
        png_compression=conf.value("PNG_COMPRESSION"),
        strip_metadata=conf.value("AVATAR_STRIP_METADATA"),
    )


def variant_name(user_id: int, token: str, variant: Variant) -> str:
    """`{size}/avatar_{user_id}_{token}_{size}.{ext}`."""
    return f"{variant.name}/avatar_{user_id}_{token}_{variant.name}.{variant.ext}"


def _content(variant: Variant) -> ContentFile:
    content = ContentFile(variant.data)
    content.content_type = variant.content_type  # S3 stores it as the object's Content-Type
    return content


def avatar_replace(*, user: User, upload: File) -> Avatar:
    """Process `upload`, store its variants and make them the user's avatar; old files go on commit.

    Raises ImageRejected for an unacceptable upload. Whatever fails later, the files written
    here are removed again and the previous avatar stays as it was.
    """
    processed = process_upload(upload)
    storage = storages[conf.STORAGE_ALIAS]
    token = secrets.token_hex(TOKEN_BYTES)
    with WrittenFiles(storage) as written:
        names = {v.name: written.save(variant_name(user.pk, token, v), _content(v))
                 for v in processed.variants.values()}
        with transaction.atomic():
            locked = _lock(user)
            # Deleting the rows schedules their files for removal once this transaction commits.
            Avatar.objects.filter(user=locked).delete()
            avatar = Avatar.objects.create(
                user=locked, original_size=upload.size, original_width=processed.width,
                original_height=processed.height, original_format=processed.format)
            AvatarVariant.objects.bulk_create(
                AvatarVariant(avatar=avatar, size=v.name, name=names[v.name], width=v.side, height=v.side,
                              file_size=len(v.data), content_type=v.content_type)
                for v in processed.variants.values())
            _set_avatar_url(locked, storage.url(names[conf.DEFAULT_SIZE]))
    user.avatar_url = locked.avatar_url
    return avatar


def avatar_delete(*, user: User) -> int:
    """Delete the user's avatar; its files go once the transaction commits. Returns how many.

    Raises Avatar.DoesNotExist when the user has none.
    """
    with transaction.atomic():
        locked = _lock(user)
        avatar = Avatar.objects.get(user=locked)
        _, deleted = avatar.delete()
        _set_avatar_url(locked, None)
    user.avatar_url = None
    return deleted.get(AvatarVariant._meta.label, 0)


def sweep_orphaned_files(*, older_than: timedelta, dry_run: bool = False) -> SweepReport:
    """Remove stored files that no variant row names and that are older than `older_than`."""
    referenced = set(AvatarVariant.objects.values_list("name", flat=True).iterator())
    return sweep_orphans(storages[conf.STORAGE_ALIAS], referenced=referenced, older_than=older_than,
                         dry_run=dry_run)


def _lock(user: User) -> User:
    """The user's row, locked until commit: one avatar change per user at a time."""
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def _set_avatar_url(user: User, url: str | None) -> None:
    user.avatar_url = url
    user.save(update_fields=["avatar_url", "updated_at"])
