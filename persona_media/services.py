"""Operations that span rows, stored files and transactions; views, admin and commands call these."""
import hashlib
import uuid
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from mediakit.files import WrittenFiles
from mediakit.orphans import CleanupReport, cleanup
from moderation.moderated import Status
from persona_media import conf
from persona_media.models import MediaFile, Persona
from persona_media.validation import inspect_upload, sanitize_filename

def stored_name_for(*, user_id: int, persona_id: int, filename: str) -> str:
    """Where a media file lives in its storage: `{user_id}/{persona_id}/{filename}`."""
    return f"{user_id}/{persona_id}/{filename}"


def sha256_of(upload: UploadedFile) -> str:
    """Hex SHA-256 of the upload, read chunk by chunk."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def media_create(*, user, persona: Persona, upload: UploadedFile, media_type: str,
                 description: str = "") -> MediaFile:
    """Check, store and record one upload; raise MediaRejected, and leave no file if any step fails.

    Raises Persona.DoesNotExist when the persona went away while the file was being stored.
    """
    info = inspect_upload(upload, filename=upload.name or "", media_type=media_type)
    checksum = sha256_of(upload)
    filename = f"{uuid.uuid4().hex}.{info.extension}"
    with WrittenFiles(conf.storage()) as written:
        name = written.save(stored_name_for(user_id=user.pk, persona_id=persona.pk, filename=filename), upload)
        with transaction.atomic():
            # Locked, so a concurrent delete of the persona waits for this row (or wins before it).
            Persona.objects.select_for_update().owned_by(user).get(pk=persona.pk)
            return MediaFile.objects.create(
                user=user, persona=persona, filename=name.rsplit("/", 1)[-1], stored_name=name,
                original_filename=sanitize_filename(upload.name or ""), size_bytes=upload.size,
                mime_type=info.mime_type, media_type=info.media_type, description=description,
                width=info.width, height=info.height, duration=info.duration, sha256=checksum,
            )


def media_delete(*, media: MediaFile) -> None:
    """Delete one media row; its stored file is removed once the deletion commits."""
    with transaction.atomic():
        media.delete()


def media_delete_many(*, queryset: QuerySet[MediaFile]) -> int:
    """Delete these media rows (files follow after commit); returns how many rows went."""
    with transaction.atomic():
        deleted, _ = queryset.delete()
    return deleted


def persona_delete(*, persona: Persona) -> bool:
    """Delete a persona with all its media rows (files go after commit); False if it was already gone."""
    with transaction.atomic():
        # Waits for an upload into this persona, or another delete of it, to commit first.
        if not Persona.objects.select_for_update().filter(pk=persona.pk).exists():
            return False
        persona.delete()
    return True


def persona_delete_many(*, queryset: QuerySet[Persona]) -> int:
    """Delete these personas with their media (files follow after commit); returns how many personas went."""
    with transaction.atomic():
        chosen = list(queryset.values_list("pk", flat=True))  # the admin's queryset is annotated
        locked = list(Persona.objects.select_for_update().filter(pk__in=chosen).values_list("pk", flat=True))
        _, per_model = Persona.objects.filter(pk__in=locked).delete()
    return per_model.get(Persona._meta.label, 0)


def media_stats(*, user) -> dict[str, Any]:
    """The caller's totals and per-persona counts, as API.md shows them, from one grouped query."""
    personas = (Persona.objects.owned_by(user).order_by().values("id").with_media_totals()
                .values_list("id", "images", "videos", "total_size"))
    per_persona = {str(pk): {"images": images, "videos": videos, "total_size": size or 0}
                   for pk, images, videos, size in personas}
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
    }


def cleanup_orphaned_media(*, older_than: timedelta, dry_run: bool = False) -> CleanupReport:
    """Remove stored files no row references (older than `older_than`); list rows whose file is gone."""
    # A rejected row's file was deleted on purpose: it is neither referenced nor reported missing.
    kept = MediaFile.objects.exclude(moderation_status=Status.REJECTED)
    return cleanup(conf.storage(), kept, older_than=older_than, dry_run=dry_run)
