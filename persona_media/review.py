"""How a reviewer acts on media files (mediakit.review): the effects are this app's services."""

from typing import BinaryIO, cast

from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from mediakit import fingerprint
from mediakit.review import Fingerprint, Reviewable
from persona_media import conf, services
from persona_media.models import MediaFile, Persona

SHOWN_ON_USER_PAGE = 24  # thumbnails on a user's admin page; the media list shows them all


def describe(media: MediaFile) -> dict[str, object]:
    """The copies an audit event keeps, so it reads the same once the file is gone."""
    text = (
        f"{media.get_media_type_display()} #{media.pk} “{media.original_filename}” in persona "
        f"“{media.persona.name}” of {media.user} ({filesizeformat(media.size_bytes)})"
    )
    return {
        "target_description": text[:500],
        "owner": media.user,
        "persona_name": media.persona.name[:200],
        "filename": media.original_filename,
    }


def thumbnail(media: MediaFile, side: int) -> str:
    """The media file's preview (a video's poster), never its original, at most `side` px."""
    if not media.preview_name:
        return format_html('<span title="manage.py generate_media_previews makes it">no preview yet</span>')
    url = _admin_url("admin:persona_media_mediafile_preview", media.pk)
    return format_html(
        '<img src="{}" alt="{}" loading="lazy" style="max-width:{}px;max-height:{}px">',
        url,
        media.original_filename,
        side,
        side,
    )


FILES_GONE = '<span title="A rejected file\'s bytes and preview are deleted">files deleted</span>'
# The review page shows a picture or a video up to this wide (and a video up to 720 px high).
REVIEW_SIDE = 1280
MIN_PLAYER_WIDTH = 480


def preview_html(media: MediaFile, side: int) -> str:
    """The preview through the staff-only view, at most `side` px; a note once rejected (its files are gone)."""
    return mark_safe(FILES_GONE) if media.is_rejected else thumbnail(media, side)


def review_html(media: MediaFile) -> str:
    """What a moderator judges: the picture itself up to 1280 px, or the video playing (ranged, so it scrubs)."""
    if media.is_rejected:
        return format_html("<p>{}</p>", mark_safe(FILES_GONE))
    original = _admin_url("admin:persona_media_mediafile_original", media.pk)
    link = format_html(
        '<a href="{}" target="_blank" rel="noopener">Open the original ({}, {}, {})</a>',
        original,
        media.mime_type,
        f"{media.width}x{media.height}" if media.width else "size unknown",
        filesizeformat(media.size_bytes),
    )
    style = f"max-width:min({REVIEW_SIDE}px,100%);height:auto;background:#eee"
    if media.media_type == MediaFile.MediaType.VIDEO:
        poster = _admin_url("admin:persona_media_mediafile_preview", media.pk) if media.preview_name else ""
        # A small video is shown at least 480 px wide: the player's controls need the room.
        player = format_html(
            '<video controls preload="metadata" src="{}" poster="{}" width="{}" '
            'style="{};max-height:720px">Your browser cannot play this video: {}</video>',
            original,
            poster,
            max(media.width or 0, MIN_PLAYER_WIDTH),
            style,
            link,
        )
        return format_html("{}<br>{}", player, link)
    picture = format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="{}" height="{}" style="{}"></a>',
        original,
        original,
        media.original_filename,
        media.width or "",
        media.height or "",
        style,
    )
    return format_html("{}<br>{}", picture, link)


def fingerprint_of(media: MediaFile) -> Fingerprint:
    """What rejecting it blocks: a picture and its copies (hashed from the stored original), a video's exact bytes;
    for a converted file both what it serves and the upload it was made from (the MOV its owner may send again)."""
    source = media.source_sha256 or ""
    if media.media_type != MediaFile.MediaType.IMAGE:
        return Fingerprint(media.sha256, source_sha256=source)
    with conf.storage().open(media.stored_name, "rb") as stored:
        return Fingerprint(media.sha256, fingerprint.picture_hash(cast(BinaryIO, stored)), source_sha256=source)


def _admin_url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the host's admin does not show this model
        return ""


def owner_summary(user) -> str:
    """The user's personas and latest media files as links, and what their media take of the quota."""
    personas = (
        format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (_admin_url("admin:persona_media_persona_change", p.pk), p.name)
                for p in Persona.objects.owned_by(user).order_by("name")
            ),
        )
        or "none"
    )
    latest = MediaFile.objects.owned_by(user).select_related("persona").order_by("-created_at")[:SHOWN_ON_USER_PAGE]
    media = (
        format_html_join(
            " ",
            '<a href="{}" title="{} — {}, {}">{}</a>',
            (
                (
                    _admin_url("admin:persona_media_mediafile_change", m.pk),
                    m.original_filename,
                    m.persona.name,
                    filesizeformat(m.size_bytes),
                    preview_html(m, 64),
                )
                for m in latest
            ),
        )
        or "none"
    )
    used, quota = services.quota_used_bytes(user=user), conf.quota_bytes()
    share = f" ({used / quota:.0%})" if quota else ""
    return format_html(
        "<p><strong>Personas:</strong> {}</p><p><strong>Media files:</strong> {}</p>"
        "<p><strong>Media quota:</strong> {} of {} used{}</p>",
        personas,
        media,
        filesizeformat(used),
        filesizeformat(quota),
        share,
    )


MEDIA = Reviewable(
    kind=services.KIND,
    model=MediaFile,
    lock=services.lock_media,
    approve=lambda media: None,
    reject=lambda media: services.media_reject(media=media),
    describe=describe,
    related_models=(Persona,),
    preview_html=preview_html,
    review_html=review_html,
    owner_summary=owner_summary,
    fingerprint=fingerprint_of,
    noun="media file",
)
