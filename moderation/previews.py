"""How the admin shows what is being moderated: one place each, so the media preview can switch source."""
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

# Large enough to judge, small enough for a queue table that fits a 1280 px window.
QUEUE_SIDE = 128


def avatar_preview(avatar, side: int = QUEUE_SIDE) -> str:
    """The avatar's large variant (512 px), shown at `side` px; '-' when its files are gone."""
    url = avatar.urls.get("large") or avatar.urls.get("full")
    if not url:
        return "-"
    return format_html('<img src="{}" width="{}" height="{}" alt="avatar {}" loading="lazy">',
                       url, side, side, avatar.pk)


def media_preview(media, side: int = QUEUE_SIDE) -> str:
    """The media file's preview (a video's poster) through the staff-only view; '-' once rejected."""
    from persona_media.admin import thumbnail

    return "-" if media.is_rejected else thumbnail(media, side)


def size_text(size_bytes: int | None) -> str:
    """Bytes for people: KB and MB."""
    return filesizeformat(size_bytes or 0)


def when(moment) -> str:
    """A compact local date and time on two lines, for narrow tables."""
    from django.utils import timezone
    from django.utils.html import format_html

    local = timezone.localtime(moment)
    return format_html("{}<br>{}", local.strftime("%Y-%m-%d"), local.strftime("%H:%M"))
