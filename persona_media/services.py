"""Operations that span rows, stored files and transactions; views, admin and commands call these."""

import hashlib
import uuid
from datetime import timedelta
from typing import Any, BinaryIO, cast

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from mediakit import conf as mediakit_conf
from mediakit import review
from mediakit.files import WrittenFiles, delete_on_commit
from mediakit.orphans import CleanupReport, cleanup
from mediakit.previews import Rendition
from mediakit.rejections import Rejected
from mediakit.review import Status
from persona_media import conf
from persona_media.models import MediaFile, Persona, Processing
from persona_media.validation import MediaInfo, Rules, check_type, inspect_upload, sanitize_filename

KIND = "media"  # what the review seam calls media files


def sha256_of(upload: UploadedFile) -> str:
    """Hex SHA-256 of the upload, read chunk by chunk."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def upload_rules() -> Rules:
    """How far uploads are read and previewed, as configured now."""
    return Rules(
        preview_side=conf.PREVIEW_MAX_SIDE,
        max_video_seconds=conf.max_video_seconds(),
        encoding=mediakit_conf.encoding(),
    )


class Duplicate(Rejected):
    status_code = 409

    def __init__(self, existing_id: int):
        super().__init__("duplicate_file", "this persona already has a file with exactly these bytes")
        self.extra = {"existing_id": existing_id}


class OverQuota(Rejected):
    status_code = 413

    def __init__(self, used: int, size: int, quota: int):
        super().__init__(
            "quota_exceeded",
            f"this upload of {size} bytes would take your media past the quota of "
            f"{quota} bytes ({used} bytes are used)",
        )


def check_room(*, user, persona: Persona, size: int, checksum: str) -> None:
    """Refuse the same bytes again in a persona (409) and an upload past the user's quota (413)."""
    # Judged by the uploaded bytes, whatever they were converted to (a HEIC is a JPEG once stored).
    existing = MediaFile.objects.filter(persona=persona, source_sha256=checksum).values_list("pk", flat=True).first()
    if existing is not None:
        raise Duplicate(existing)
    used = quota_used_bytes(user=user)
    if used + size > conf.quota_bytes():
        raise OverQuota(used, size, conf.quota_bytes())


# What counts against the quota: the bytes stored now (an upload waiting for its conversion, then its
# result); a rejected or failed file's were deleted (or no longer count).
STORED = ~Q(moderation_status=Status.REJECTED) & ~Q(processing_status=Processing.FAILED)


def quota_used_bytes(*, user) -> int:
    """Stored bytes of the user's media files."""
    return MediaFile.objects.owned_by(user).filter(STORED).aggregate(used=Sum("size_bytes"))["used"] or 0


def media_create(*, user, persona: Persona, upload: UploadedFile, media_type: str, description: str = "") -> MediaFile:
    """Check, store and record one upload with its preview; raise Rejected, and leave no file if any step fails.

    Raises Persona.DoesNotExist when the persona went away while the file was being stored.
    """
    readable = cast(BinaryIO, upload)  # an UploadedFile reads like a binary file
    check_type(readable, filename=upload.name or "", media_type=media_type)  # a wrong type is told first (400)
    checksum = sha256_of(upload)
    check_room(user=user, persona=persona, size=upload.size or 0, checksum=checksum)  # before the costly part
    info = inspect_upload(readable, filename=upload.name or "", media_type=media_type, rules=upload_rules())
    rendition = info.preview
    assert rendition is not None  # every accepted upload has its preview
    # The blocklist: a picture is hashed from its preview's pixels, already decoded (a video by its bytes alone).
    picture = rendition.picture if info.media_type == "image" else None
    review.screen_upload(KIND, user=user, sha256=checksum, image=picture)
    content, size, stored_checksum = _stored_content(upload, info, checksum)
    stem = f"{conf.location()}{user.pk}/{persona.pk}/{uuid.uuid4().hex}"
    with WrittenFiles(conf.storage()) as written:
        name = written.save(f"{stem}.{info.extension}", content)
        preview = written.save(f"{stem}.preview.{rendition.ext}", rendition_content(rendition))
        with transaction.atomic():
            # The owner is locked so that concurrent uploads cannot add up past the quota, and the
            # persona so that a concurrent delete of it waits for this row (or wins before it).
            get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
            Persona.objects.select_for_update().owned_by(user).get(pk=persona.pk)
            check_room(user=user, persona=persona, size=size, checksum=checksum)
            media = MediaFile.objects.create(
                user=user,
                persona=persona,
                filename=name.rsplit("/", 1)[-1],
                stored_name=name,
                original_filename=sanitize_filename(upload.name or ""),
                size_bytes=size,
                mime_type=info.mime_type,
                original_mime_type=info.source_mime,
                media_type=info.media_type,
                description=description,
                width=info.width,
                height=info.height,
                duration=info.duration,
                fps=info.fps,
                video_codec=info.video_codec,
                audio_codec=info.audio_codec,
                bitrate=info.bitrate,
                playable=(not info.needs_processing) if info.media_type == MediaFile.MediaType.VIDEO else None,
                preview_name=preview,
                preview_type=rendition.content_type,
                preview_bytes=len(rendition.data),
                blurhash=rendition.blurhash,
                sha256=stored_checksum,
                source_sha256=checksum,
                moderation_status=review.policy().initial_status(KIND),
                **_queued(info),
            )
            if info.needs_processing:
                from persona_media import jobs  # the jobs import the task backend; uploads of images need none

                jobs.enqueue_on_commit(media.pk)
            return media


def _stored_content(upload: UploadedFile, info: MediaInfo, checksum: str) -> tuple[Any, int, str]:
    """What is stored for the upload (it, or the JPEG a HEIC became), its size and its SHA-256."""
    if info.converted is None:
        return upload, upload.size or 0, checksum
    content = ContentFile(info.converted)
    content.content_type = info.mime_type  # type: ignore[attr-defined]  # S3 stores it as the object's type
    return content, len(info.converted), hashlib.sha256(info.converted).hexdigest()


def _queued(info: MediaInfo) -> dict[str, Any]:
    """A video to convert starts queued; the sweep rings again if no worker takes it in time."""
    if not info.needs_processing:
        return {}
    now = timezone.now()
    return {
        "processing_status": Processing.QUEUED,
        "queued_at": now,
        "lease_expires": now + timedelta(seconds=conf.job_requeue_seconds()),
    }


def rendition_content(rendition: Rendition) -> ContentFile:
    content = ContentFile(rendition.data)
    content.content_type = rendition.content_type  # type: ignore[attr-defined]  # S3 stores it as the object's type
    return content


def _delete_if_present(row: MediaFile | Persona) -> bool:
    """Delete the row (its files go after commit); False if a concurrent request deleted it first.

    The lock waits for that other delete (or an upload into a persona) to commit first.
    """
    with transaction.atomic():
        if not type(row).objects.select_for_update().filter(pk=row.pk).exists():
            return False
        row.delete()
    return True


def media_delete(*, media: MediaFile, moderator=None, reason: str = "") -> bool:
    """Delete one media row (its stored files go after commit); False if it was already gone.

    With a `moderator` (staff's removal), a reviewer app hears of it (mediakit.review.removed_by_staff)
    in the same transaction.
    """
    if moderator is None:
        return _delete_if_present(media)
    with transaction.atomic():
        locked = lock_media(media)
        if locked is None:
            return False
        review.removed_by_staff.send(sender=MediaFile, instance=locked, moderator=moderator, reason=reason.strip())
        locked.delete()
    return True


def lock_media(media: MediaFile) -> MediaFile | None:
    """The media row locked for a decision (with its owner and persona), or None when it is gone."""
    return MediaFile.objects.select_for_update().select_related("user", "persona").filter(pk=media.pk).first()


def media_reject(*, media: MediaFile) -> bool:
    """A rejected file's stored bytes and preview go after commit; its row stays, so its owner sees why."""
    delete_on_commit(conf.storage(), media.stored_names, alias=conf.storage_alias())
    return True


def media_delete_many(*, queryset: QuerySet[MediaFile]) -> int:
    """Delete these media rows (files follow after commit); returns how many rows went."""
    with transaction.atomic():
        deleted, _ = queryset.delete()
    return deleted


def persona_delete(*, persona: Persona) -> bool:
    """Delete a persona with all its media rows (files go after commit); False if it was already gone."""
    return _delete_if_present(persona)


def persona_delete_many(*, queryset: QuerySet[Persona]) -> int:
    """Delete these personas with their media (files follow after commit); returns how many personas went."""
    with transaction.atomic():
        chosen = list(queryset.values_list("pk", flat=True))  # the admin's queryset is annotated
        locked = list(Persona.objects.select_for_update().filter(pk__in=chosen).values_list("pk", flat=True))
        _, per_model = Persona.objects.filter(pk__in=locked).delete()
    return per_model.get(Persona._meta.label, 0)


def media_stats(*, user) -> dict[str, Any]:
    """The caller's totals and per-persona counts, as API.md shows them, from one grouped query."""
    personas = (
        Persona.objects.owned_by(user)
        .order_by()
        .values("id")
        .with_media_totals()  # type: ignore[attr-defined]
        .values_list("id", "images", "videos", "total_size", "stored_size")
    )
    per_persona, stored = {}, 0
    for pk, images, videos, size, kept in personas:
        per_persona[str(pk)] = {"images": images, "videos": videos, "total_size": size or 0}
        stored += kept or 0
    images = sum(p["images"] for p in per_persona.values())
    videos = sum(p["videos"] for p in per_persona.values())
    total = sum(p["total_size"] for p in per_persona.values())
    limit_mb = conf.max_size() / conf.MIB
    return {
        "total_files": images + videos,
        "total_size_bytes": total,
        "total_size_mb": round(total / conf.MIB, 2),
        "image_count": images,
        "video_count": videos,
        "persona_stats": per_persona,
        "file_size_limit_mb": int(limit_mb) if limit_mb.is_integer() else round(limit_mb, 2),
        "quota_bytes": conf.quota_bytes(),
        "quota_used_bytes": stored,  # ready files, and uploads waiting for their conversion
    }


def cleanup_orphaned_media(*, older_than: timedelta, dry_run: bool = False) -> CleanupReport:
    """Remove stored files no row references (older than `older_than`); list rows whose file is gone."""
    # A rejected or failed row's file was deleted on purpose: it is neither referenced nor reported missing
    # (a failure worth retrying keeps its upload, still referenced through pending rows below).
    kept = MediaFile.objects.exclude(moderation_status=Status.REJECTED).exclude(
        processing_status=Processing.FAILED, preview_name=""
    )
    return cleanup(
        conf.storage(),
        kept,
        older_than=older_than,
        dry_run=dry_run,
        also=("preview_name", "pending_name"),
        folder=conf.location(),
    )
