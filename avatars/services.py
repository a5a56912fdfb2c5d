"""Avatar operations that span processing, stored files, rows and transactions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, BinaryIO, cast

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from avatars import conf
from avatars.imaging import AvatarSpec, ProcessedAvatar, Variant, process_avatar
from avatars.models import Avatar, AvatarVariant
from mediakit import conf as mediakit_conf
from mediakit import review
from mediakit.deletions import counting_removals
from mediakit.files import WrittenFiles
from mediakit.imaging import Limits
from mediakit.orphans import CleanupReport, cleanup
from mediakit.review import Status
from mediakit.storage import hidden, publish

# The host's user model, whatever it is (AUTH_USER_MODEL).
User = Any

KIND = "avatar"  # what the review seam calls avatars
# 16 hex digits: unguessable names that change with every upload, so URLs can be cached forever.
TOKEN_BYTES = 8


def avatar_spec() -> AvatarSpec:
    """How an upload becomes an avatar, as configured now."""
    return AvatarSpec(
        sizes=conf.VARIANT_SIZES,
        limits=Limits(min_side=conf.MIN_SIDE, max_side=conf.MAX_SIDE, max_frames=conf.MAX_FRAMES),
        encoding=mediakit_conf.encoding(),
        strip_metadata=conf.strip_metadata(),
        blurhash_label=conf.DEFAULT_SIZE,
    )


def process_upload(upload: File) -> ProcessedAvatar:
    """Validate and render an upload with the configured sizes and encoder settings."""
    upload.seek(0)
    return process_avatar(cast(BinaryIO, upload), avatar_spec())  # a File reads like a binary file


def variant_name(user_id: int, token: str, variant: Variant) -> str:
    """`{location}{label}/avatar_{user_id}_{token}_{label}.{ext}`."""
    return f"{conf.location()}{variant.label}/avatar_{user_id}_{token}_{variant.label}.{variant.ext}"


def _content(variant: Variant) -> ContentFile:
    content = ContentFile(variant.data)
    content.content_type = variant.content_type  # type: ignore[attr-defined]  # S3 stores it as the object's Content-Type
    return content


def avatar_replace(*, user: User, upload: File) -> Avatar:
    """Process `upload`, store its variants and make them the user's avatar; old files go on commit.

    Under pre-moderation the new avatar waits beside the current one (replacing any older waiting
    one) until a moderator approves it. Raises ImageRejected for an unacceptable upload. Whatever
    fails later, the files written here are removed again and the previous avatar stays as it was.
    """
    processed = process_upload(upload)
    # The review seam's hook, before anything is stored: blocked content is refused (400 blocked_content).
    picture = processed.picture if processed.picture is not None else upload  # decoded once when it can be
    fingerprint = review.screen_upload(KIND, user=user, sha256=sha256_of(upload), image=picture)
    token = secrets.token_hex(TOKEN_BYTES)
    policy = review.policy()
    waits = policy.holds_back(KIND)
    # A waiting avatar is not public until approved: on S3 its objects are written private.
    with WrittenFiles(hidden(conf.storage()) if waits else conf.storage()) as written:
        names = {
            v.label: written.save(variant_name(user.pk, token, v), _content(v)) for v in processed.variants.values()
        }
        with transaction.atomic():
            locked = _lock(user)
            # Deleting the rows schedules their files for removal once this transaction commits.
            replaced = Avatar.objects.filter(user=locked)
            if waits:  # the approved avatar stays public; a rejected one's reason is no longer news
                replaced = replaced.filter(Q(is_current=False) | Q(moderation_status=Status.REJECTED))
            replaced.delete()
            avatar = Avatar.objects.create(
                user=locked,
                is_current=not waits,
                moderation_status=policy.initial_status(KIND),
                original_bytes=upload.size,
                original_width=processed.width,
                original_height=processed.height,
                original_format=processed.format,
                blurhash=processed.blurhash,
                sha256=fingerprint.sha256,
                picture_hash=fingerprint.picture,
            )
            created = AvatarVariant.objects.bulk_create(
                AvatarVariant(
                    avatar=avatar,
                    label=v.label,
                    stored_name=names[v.label],
                    width=v.side,
                    height=v.side,
                    size_bytes=len(v.data),
                    content_type=v.content_type,
                )
                for v in processed.variants.values()
            )
            # Cached now, from the rows just written (no query): a concurrent replace may delete
            # them once we commit.
            avatar.__dict__["urls"] = Avatar.urls_of(created)
    _forget_avatars(user)
    return avatar


def avatar_delete(*, user: User) -> int:
    """Delete the user's avatars (current and waiting); their files go once the transaction commits.

    Returns how many files were removed: files storage refused are recorded for `retry_deletions`
    and not counted. Raises Avatar.DoesNotExist when the user has none.
    """
    with counting_removals() as removals:
        with transaction.atomic():
            locked = _lock(user)
            avatars = Avatar.objects.filter(user=locked)
            if not avatars.exists():
                raise Avatar.DoesNotExist
            avatars.delete()
    _forget_avatars(user)
    return removals.removed


def avatar_remove(*, avatar: Avatar, moderator=None, reason: str = "") -> bool:
    """Delete this one avatar (staff's removal); False if it was already gone. Files go on commit.

    With a `moderator`, a reviewer app hears of it (mediakit.review.removed_by_staff) in the same transaction.
    """
    with transaction.atomic():
        locked = lock_avatar(avatar)
        if locked is None:
            return False
        if moderator is not None:
            review.removed_by_staff.send(sender=Avatar, instance=locked, moderator=moderator, reason=reason.strip())
        locked.delete()
    return True


def avatar_approve(*, avatar: Avatar) -> None:
    """Make a waiting avatar current; the one it replaces goes (files after commit). Caller holds the lock."""
    if not avatar.is_current:
        Avatar.objects.filter(user_id=avatar.user_id, is_current=True).delete()
        avatar.is_current = True
        publish(conf.storage(), avatar.stored_names)  # written private while it waited (S3)


def avatar_reject(*, avatar: Avatar) -> bool:
    """Remove a rejected avatar's files (after commit); its row stays, so its owner's GET can say why.

    A current one answers `404 avatar_rejected` until the next upload; a waiting one (pre-moderation) shows
    as `pending: {moderation_status: "rejected", ...}` beside the current avatar, until the next upload.
    """
    avatar.variants.all().delete()
    return True


def sha256_of(upload: File) -> str:
    """Hex SHA-256 of the upload, read chunk by chunk from its start."""
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def lock_avatar(avatar: Avatar) -> Avatar | None:
    """The avatar's row locked (after its owner's, in the order avatar_replace takes them), or None if gone."""
    _lock(avatar.user)
    return Avatar.objects.select_for_update().filter(pk=avatar.pk).first()


def cleanup_orphaned_files(*, older_than: timedelta, dry_run: bool = False) -> CleanupReport:
    """Remove stored files no variant row names (older than `older_than`); list rows whose file is gone."""
    return cleanup(
        conf.storage(), AvatarVariant.objects.all(), older_than=older_than, dry_run=dry_run, folder=conf.location()
    )


def _forget_avatars(user: User) -> None:
    """The caller's user object re-reads its avatars (and so avatar_url) next time."""
    getattr(user, "_prefetched_objects_cache", {}).pop("avatars", None)


def _lock(user: User) -> User:
    """The user's row, locked until commit: one avatar change per user at a time."""
    return get_user_model().objects.select_for_update().get(pk=user.pk)
