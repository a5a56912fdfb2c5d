"""Previews and metadata for media files stored before uploads made them (generate_media_previews)."""

import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from mediakit import video
from mediakit.files import WrittenFiles
from mediakit.imaging import FORMAT_BY_MIME, Limits
from mediakit.previews import Rendition, image_preview, preview_of
from mediakit.rejections import Rejected
from persona_media import conf
from persona_media.models import MediaFile
from persona_media.services import rendition_content, upload_rules

log = logging.getLogger(__name__)
CHUNK_SIZE = 1024 * 1024
# Stored files passed their checks when they were uploaded: only a decoding limit applies now.
STORED_IMAGE_LIMITS = Limits(max_side=16384, max_pixels=64_000_000)


@dataclass(frozen=True)
class Outcome:
    media_id: int
    made: bool
    problem: str = ""  # why the stored file could not be read


def lacking(batch_size: int) -> Iterator[list[MediaFile]]:
    """Media files without a preview, in batches of ascending id (each batch read when needed)."""
    last = 0
    while True:
        batch = list(MediaFile.objects.filter(preview_name="", pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def fill_in(media: MediaFile) -> Outcome:
    """Read the stored file, store its preview beside it and record what it is; never raises for a bad file."""
    storage = conf.storage()
    try:
        with _local_copy(storage, media.stored_name) as path:
            fields, preview = _describe(path, media)
    except (Rejected, OSError) as error:
        problem = error.detail if isinstance(error, Rejected) else f"{type(error).__name__}: {error}"
        log.warning("could not make a preview", extra={"media_file": media.pk, "problem": problem})
        return Outcome(media.pk, False, problem)
    stem = media.stored_name.rsplit(".", 1)[0]
    with WrittenFiles(storage) as written:
        name = written.save(f"{stem}.preview-{uuid.uuid4().hex[:8]}.{preview.ext}", rendition_content(preview))
        with transaction.atomic():
            # Only if no other run filled it in meanwhile (and the row still exists).
            updated = MediaFile.objects.filter(pk=media.pk, preview_name="").update(
                preview_name=name,
                preview_type=preview.content_type,
                preview_bytes=len(preview.data),
                blurhash=preview.blurhash,
                **fields,
            )
            if not updated:
                raise _AlreadyDone()
    return Outcome(media.pk, True)


class _AlreadyDone(Exception):
    """Another run made this preview first: ours is removed again (WrittenFiles), nothing changes."""


def fill_in_safely(media: MediaFile) -> Outcome:
    try:
        return fill_in(media)
    except _AlreadyDone:
        return Outcome(media.pk, False)


def _describe(path: str, media: MediaFile) -> tuple[dict, Rendition]:
    rules = upload_rules()
    if media.media_type == MediaFile.MediaType.VIDEO:
        found = video.probe(path, rules.max_video_seconds, enforce=False)
        fields = {
            "width": found.width,
            "height": found.height,
            "duration": found.duration,
            "fps": found.fps,
            "video_codec": found.video_codec,
            "audio_codec": found.audio_codec or "",
            "bitrate": found.bitrate,
            "playable": found.refusal is None,
        }
        return fields, preview_of(found.poster, rules.preview_side, rules.encoding)
    with open(path, "rb") as fh:
        (width, height), preview = image_preview(
            fh, FORMAT_BY_MIME[media.mime_type], STORED_IMAGE_LIMITS, rules.preview_side, rules.encoding
        )
    return {"width": width, "height": height}, preview


@contextmanager
def _local_copy(storage, name: str) -> Iterator[str]:
    """The stored file as a local path: the file itself on local storage, a temporary copy from S3."""
    try:
        path = storage.path(name)
    except NotImplementedError:  # S3: streamed down in chunks, never read whole into memory
        path = None
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix="." + name.rsplit(".", 1)[-1]) as copy:
        with storage.open(name, "rb") as remote:
            shutil.copyfileobj(remote, copy, CHUNK_SIZE)
        copy.flush()
        yield copy.name
