"""Blocked content: what rejecting adds, what every upload is checked against, what a moderator lifts."""

from __future__ import annotations

import logging

from django.db.models import Q, Subquery
from rest_framework import status

from mediakit import fingerprint
from mediakit.api import api_error
from mediakit.review import Fingerprint
from mediakit.users import identity
from moderation.models import BlockedChunk, BlockedContent

log = logging.getLogger(__name__)

ContentBlocked = api_error(
    "ContentBlocked",
    status.HTTP_400_BAD_REQUEST,
    "blocked_content",
    "A moderator has removed this content from the site; it cannot be uploaded again.",
)


def fingerprint_of(sha256: str, image=None) -> Fingerprint:
    """The upload's fingerprint: its SHA-256, and the PDQ hash of a picture (best effort: "" when it cannot tell)."""
    if image is None:
        return Fingerprint(sha256)
    try:
        image.seek(0)
        picture = fingerprint.picture_hash(image)
    except Exception:  # a format the hash cannot read: the exact bytes are still checked
        log.warning("no perceptual hash for an upload", exc_info=True)
        picture = ""
    finally:
        image.seek(0)
    return Fingerprint(sha256, picture)


def _exactly(sha256: str):
    """The entries blocking these exact bytes: a stored file's, or the upload it was converted from (two indexes)."""
    return BlockedContent.objects.filter(Q(sha256=sha256) | Q(source_sha256=sha256))


def match(content: Fingerprint) -> BlockedContent | None:
    """The blocklist entry this content is, or is a copy of; None when it is not blocked.

    Two indexed queries: the SHA-256, then the entries holding any of the 272 chunk keys a near picture must
    share with it (a few hundred among 100,000 entries), whose full Hamming distance is checked here.
    """
    exact = _exactly(content.sha256).first() if content.sha256 else None
    if exact is not None or not content.picture:
        return exact
    # One query: the chunk index's candidates joined to their entries by primary key (a nested loop of index
    # lookups; a plain join lets PostgreSQL hash the whole table instead).
    near = BlockedChunk.objects.filter(key__in=fingerprint.probe_keys(content.picture)).values("entry_id")
    candidates = BlockedContent.objects.filter(pk__in=Subquery(near)).order_by().values_list("pk", "picture_hash")
    for pk, picture in candidates:
        if picture and fingerprint.distance(picture, content.picture) <= fingerprint.MATCH_DISTANCE:
            return BlockedContent.objects.get(pk=pk)
    return None


def add(
    content: Fingerprint, *, source_kind: str, source_id: int, description: str, reason: str, moderator
) -> BlockedContent | None:
    """Block this content (inside the caller's transaction); None when its exact bytes are blocked already."""
    if content.sha256 and _exactly(content.sha256).exists():
        return None
    entry = BlockedContent.objects.create(
        sha256=content.sha256,
        source_sha256=content.source_sha256 if content.source_sha256 != content.sha256 else "",
        picture_hash=content.picture,
        source_kind=source_kind,
        source_id=source_id,
        description=description[:500],
        reason=reason[:500],
        moderator=moderator,
        moderator_email=identity(moderator)[:255],
    )
    if content.picture:
        BlockedChunk.objects.bulk_create(
            BlockedChunk(entry=entry, key=key) for key in fingerprint.chunk_keys(content.picture)
        )
    return entry
