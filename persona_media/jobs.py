"""Background conversion of videos: the media row is the truth, a queued task only its doorbell.

A job claims its row (`select_for_update(skip_locked=True)`) and takes a lease on it (holder + expiry,
renewed while it works); converts the stored upload in mediakit's sandbox (CPU, memory and time
limits, `nice`d) into a NEW storage name, recorded on the row before a byte is written; then, in one
transaction, swaps the row to the result and deletes the upload after commit. The sweep
(`requeue_media_jobs`, also run by every worker) queues again what a lost message or a dead worker
left behind. So a message lost, delivered twice or left with a killed worker only delays a job: a
second run finds the row taken or done, a late one finds its lease gone and keeps nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.core.files import File
from django.db import DatabaseError, transaction
from django.utils import timezone

from mediakit import convert, sandbox
from mediakit.files import WrittenFiles, delete_on_commit
from mediakit.rejections import Rejected
from mediakit.review import Status
from persona_media import conf
from persona_media.models import MediaFile, Processing

log = logging.getLogger(__name__)
CHUNK_SIZE = 1024 * 1024
UNFINISHED = (Processing.QUEUED, Processing.PROCESSING)
# Failures of the machinery rather than of the file: the upload is kept, and staff may retry it.
RETRYABLE = frozenset({"processing_timeout", "processing_failed"})
SWEEP_BATCH = 500


class LeaseLost(Exception):
    """The row went (deleted, rejected) or another worker took the job over: this run keeps nothing."""


def enqueue_on_commit(media_id: int) -> None:
    """Ring the doorbell once the row is committed (the task backend may run it at once, or elsewhere)."""
    transaction.on_commit(lambda: enqueue(media_id))


def enqueue(media_id: int) -> None:
    """Queue the conversion task; a backend that fails is logged, and the sweep rings again later."""
    from persona_media.tasks import convert_media

    try:
        convert_media.enqueue(media_id)
    except Exception:  # noqa: BLE001 - the row stays queued: the sweep queues it again
        log.exception("could not queue a media conversion", extra={"media_file": media_id})


def holder_id() -> str:
    """Who holds a lease: this machine, process and run."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run(media_id: int) -> str:
    """Convert one media file if it still needs it; what happened ("ready", "failed", "skipped", ...)."""
    holder = holder_id()
    media = claim(media_id, holder)
    if media is None:
        return "skipped"
    try:
        with _local_copy(media.stored_name) as source, tempfile.TemporaryDirectory(prefix="critvue-convert-") as tmp:
            started = time.monotonic()
            # The lease is renewed four times per lease: one late beat never loses it.
            result = convert.convert(
                source,
                os.path.join(tmp, "out.mp4"),
                container_format=_demuxer(media),
                timeout=conf.job_time_limit(),
                heartbeat=lambda: renew(media_id, holder),
                beat_seconds=max(0.25, conf.job_lease_seconds() / 4),
            )
            swap(media, holder, os.path.join(tmp, "out.mp4"), result, time.monotonic() - started)
    except (sandbox.Cancelled, LeaseLost):
        log.info("media conversion dropped: the file went or another worker took it", extra={"media_file": media_id})
        return "dropped"
    except Rejected as rejected:
        # A file deleted mid-job may also fail to read: then there is nothing left to mark.
        return "failed" if fail(media_id, holder, rejected.code, rejected.detail) else "dropped"
    except Exception:
        release(media_id, holder)  # storage or database trouble: another attempt, after a back-off
        raise
    return "ready"


def claim(media_id: int, holder: str) -> MediaFile | None:
    """The row, leased to `holder` for a new attempt; None when it is gone, done, or held by a live worker."""
    now = timezone.now()
    with transaction.atomic():
        media = (
            MediaFile.objects.select_for_update(skip_locked=True)
            .filter(pk=media_id, processing_status__in=UNFINISHED)
            .exclude(moderation_status=Status.REJECTED)
            .first()
        )
        if media is None or _held(media, now):
            return None
        if media.attempts >= conf.job_max_attempts():
            _mark_failed(media, "processing_failed", f"gave up after {media.attempts} attempts")
            return None
        stale = media.pending_name  # a result a dead worker may have begun to write
        stem = media.stored_name.rsplit(".", 1)[0]
        media.processing_status, media.attempts = Processing.PROCESSING, media.attempts + 1
        media.lease_holder, media.lease_expires = holder, now + timedelta(seconds=conf.job_lease_seconds())
        media.pending_name = f"{stem}.{uuid.uuid4().hex[:12]}.mp4"
        media.save(
            update_fields=[
                "processing_status",
                "attempts",
                "lease_holder",
                "lease_expires",
                "pending_name",
                "updated_at",
            ]
        )
        delete_on_commit(conf.storage(), [stale], alias=conf.storage_alias())
    return media


def _held(media: MediaFile, now) -> bool:
    return (
        media.processing_status == Processing.PROCESSING
        and media.lease_expires is not None
        and media.lease_expires > now
    )


def renew(media_id: int, holder: str) -> bool:
    """Extend the lease while converting; False (stop) once the row went, was rejected or was taken over."""
    try:
        return bool(
            MediaFile.objects.filter(pk=media_id, lease_holder=holder, processing_status=Processing.PROCESSING)
            .exclude(moderation_status=Status.REJECTED)
            .update(lease_expires=timezone.now() + timedelta(seconds=conf.job_lease_seconds()))
        )
    except DatabaseError:  # a blip must not kill the conversion; the swap checks the lease again
        log.warning("could not renew a media conversion's lease", extra={"media_file": media_id})
        return True


def swap(media: MediaFile, holder: str, path: str, result: convert.Converted, seconds: float) -> None:
    """Store the result under the row's pending name, then point the row at it; the upload goes after commit."""
    storage = conf.storage()
    checksum = _sha256(path)
    with WrittenFiles(storage) as written, open(path, "rb") as data:
        content = File(data)
        content.content_type = "video/mp4"  # type: ignore[attr-defined]  # S3 stores it as the object's type
        name = written.save(media.pending_name, content)
        with transaction.atomic():
            current = _locked_lease(media.pk, holder)
            delete_on_commit(storage, [current.stored_name], alias=conf.storage_alias())
            MediaFile.objects.filter(pk=media.pk).update(
                stored_name=name,
                filename=name.rsplit("/", 1)[-1],
                pending_name="",
                size_bytes=result.size,
                mime_type="video/mp4",
                width=result.width,
                height=result.height,
                duration=result.duration,
                fps=result.fps,
                video_codec=result.video_codec,
                audio_codec=result.audio_codec or "",
                bitrate=result.bitrate,
                playable=True,
                sha256=checksum,
                processing_status=Processing.READY,
                processing_error="",
                processing_detail="",
                lease_holder="",
                lease_expires=None,
                processing_seconds=round(seconds, 3),
                updated_at=timezone.now(),
            )


def _locked_lease(media_id: int, holder: str) -> MediaFile:
    current = (
        MediaFile.objects.select_for_update()
        .filter(pk=media_id, lease_holder=holder, processing_status=Processing.PROCESSING)
        .exclude(moderation_status=Status.REJECTED)
        .first()
    )
    if current is None:
        raise LeaseLost()
    return current


def fail(media_id: int, holder: str, code: str, detail: str) -> bool:
    """The file cannot be converted: say why; its bytes go unless the failure is worth a retry.

    False when the job is no longer this holder's (the row went, or another worker took it over).
    """
    with transaction.atomic():
        try:
            media = _locked_lease(media_id, holder)
        except LeaseLost:
            return False
        _mark_failed(media, code, detail)
    return True


def _mark_failed(media: MediaFile, code: str, detail: str) -> None:
    """Failed with `code`; nothing is stored any more (but what a retry needs), nothing counts."""
    names = [media.pending_name]
    if code not in RETRYABLE:
        names += [media.stored_name, media.preview_name]
        media.preview_name = ""
    delete_on_commit(conf.storage(), names, alias=conf.storage_alias())
    media.processing_status, media.processing_error, media.processing_detail = Processing.FAILED, code, detail[:500]
    media.lease_holder, media.lease_expires, media.pending_name = "", None, ""
    media.save(
        update_fields=[
            "processing_status",
            "processing_error",
            "processing_detail",
            "lease_holder",
            "lease_expires",
            "pending_name",
            "preview_name",
            "updated_at",
        ]
    )
    log.warning("media conversion failed", extra={"media_file": media.pk, "code": code, "detail": detail})


def release(media_id: int, holder: str) -> None:
    """Hand the job back (queued, to be rung again by the sweep after a back-off); never raises."""
    try:
        MediaFile.objects.filter(pk=media_id, lease_holder=holder, processing_status=Processing.PROCESSING).update(
            processing_status=Processing.QUEUED,
            lease_holder="",
            lease_expires=timezone.now() + timedelta(seconds=conf.job_lease_seconds()),
        )
    except DatabaseError:  # the lease then simply expires
        log.warning("could not hand a media conversion back", extra={"media_file": media_id})


def retry(media: MediaFile) -> bool:
    """Queue a failed file again (staff's retry), if its failure was worth it and its upload is kept."""
    with transaction.atomic():
        updated = (
            MediaFile.objects.filter(
                pk=media.pk,
                processing_status=Processing.FAILED,
                processing_error__in=RETRYABLE,
            )
            .exclude(moderation_status=Status.REJECTED)
            .update(
                processing_status=Processing.QUEUED,
                processing_error="",
                processing_detail="",
                attempts=0,
                queued_at=timezone.now(),
                lease_expires=timezone.now() + timedelta(seconds=conf.job_requeue_seconds()),
            )
        )
        if updated:
            enqueue_on_commit(media.pk)
    return bool(updated)


def sweep(*, dry_run: bool = False) -> list[int]:
    """Queue again the jobs whose lease expired (a dead worker's) or that no worker took in time; their ids."""
    now = timezone.now()
    due = list(
        MediaFile.objects.filter(processing_status__in=UNFINISHED, lease_expires__lt=now)
        .exclude(moderation_status=Status.REJECTED)
        .order_by("lease_expires")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if dry_run or not due:
        return due
    with transaction.atomic():
        # Back to queued, with a fresh deadline: a dead holder loses the job (its late swap finds no
        # lease), and the next sweep rings again only if this doorbell goes unanswered too.
        MediaFile.objects.filter(pk__in=due, lease_expires__lt=now).update(
            processing_status=Processing.QUEUED,
            lease_holder="",
            lease_expires=now + timedelta(seconds=conf.job_requeue_seconds()),
        )
        for media_id in due:
            enqueue_on_commit(media_id)
    return due


def _demuxer(media: MediaFile) -> str:
    return "webm" if media.original_mime_type == "video/webm" else "mp4"


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for chunk in iter(lambda: data.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _local_copy(name: str) -> Iterator[str]:
    """The stored upload as a local path: the file itself on local storage, a temporary copy from S3."""
    storage = conf.storage()
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        if not os.path.exists(path):  # storage trouble (or a worker on another folder), not the file's fault
            raise FileNotFoundError(f"the stored upload {name} is missing")
        yield path
        return
    with tempfile.NamedTemporaryFile(prefix="critvue-source-") as copy:
        with storage.open(name, "rb") as remote:
            shutil.copyfileobj(remote, copy, CHUNK_SIZE)
        copy.flush()
        yield copy.name
