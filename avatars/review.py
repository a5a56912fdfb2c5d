"""How a reviewer acts on avatars (mediakit.review): the effects are this app's services."""

from typing import BinaryIO, cast

from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from avatars import conf, services
from avatars.models import Avatar, AvatarVariant
from mediakit import fingerprint
from mediakit.review import Fingerprint, Reviewable, Status

FILES_GONE = '<span title="A rejected avatar\'s files are deleted">files deleted</span>'


def describe(avatar: Avatar) -> dict[str, object]:
    """The copies an audit event keeps, so it reads the same once the avatar is gone."""
    owner = avatar.user
    where = "current" if avatar.is_current else "waiting for approval"
    text = (
        f"Avatar #{avatar.pk} of {owner} ({where}; {avatar.original_dimensions} {avatar.original_format}, "
        f"{filesizeformat(avatar.original_bytes)})"
    )
    return {"target_description": text, "owner": owner}


def image_url(avatar_id: int, label: str) -> str:
    """The staff-only admin route of a variant (any state: a waiting avatar's files are not public)."""
    try:
        return reverse("admin:avatars_avatar_image", args=[avatar_id, label])
    except NoReverseMatch:  # the host's admin does not show avatars
        return ""


def _labels(avatar: Avatar) -> list[str]:
    return list(avatar.urls)  # the labels of its stored variants, smallest first


def preview_html(avatar: Avatar, side: int) -> str:
    """The smallest variant sharp at `side` px (2x for dense screens), through the staff route."""
    labels = _labels(avatar)
    if not labels:
        return mark_safe(FILES_GONE)
    label = next((name for name in labels if conf.VARIANT_SIZES[name] >= 2 * side), labels[-1])
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="avatar #{}" loading="lazy">',
        image_url(avatar.pk, label),
        side,
        side,
        avatar.pk,
    )


def review_html(avatar: Avatar) -> str:
    """The largest variant (1024 px at most) at its own size, linking to itself; the upload itself is not kept."""
    labels = _labels(avatar)
    if not labels:
        return format_html("<p>{}</p>", mark_safe(FILES_GONE))
    largest = avatar.variants.get(label=labels[-1])
    url = image_url(avatar.pk, largest.label)
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" width="{}" height="{}" alt="avatar #{}" '
        'style="max-width:100%;height:auto;background:#eee"></a><br><a href="{}" target="_blank" rel="noopener">'
        'Open it alone ({}x{} px, as stored; the upload was {} {})</a>',
        url,
        url,
        largest.width,
        largest.height,
        avatar.pk,
        url,
        largest.width,
        largest.height,
        avatar.original_dimensions,
        avatar.original_format,
    )


def owner_summary(user) -> str:
    """The user's avatars as thumbnails linking to their admin pages."""
    avatars = Avatar.objects.filter(user=user).prefetch_related("variants")
    items = []
    for avatar in avatars:
        try:
            url = reverse("admin:avatars_avatar_change", args=[avatar.pk])
        except NoReverseMatch:  # the host's admin does not show avatars
            url = ""
        items.append((url, preview_html(avatar, 64), avatar.get_moderation_status_display()))
    links = format_html_join(" ", '<a href="{}">{} {}</a>', items)
    return format_html("<p><strong>Avatar:</strong> {}</p>", links or "none")


def fingerprint_of(avatar: Avatar) -> Fingerprint:
    """What rejecting it blocks: the upload's SHA-256 and its picture's hash, kept since the upload; for an avatar
    uploaded before hashes were kept, the hash of its largest variant (the centre square of the upload)."""
    picture = avatar.picture_hash
    labels = _labels(avatar)
    if not picture and labels:
        variant = avatar.variants.get(label=labels[-1])
        with conf.storage().open(variant.stored_name, "rb") as stored:
            picture = fingerprint.picture_hash(cast(BinaryIO, stored))
    return Fingerprint(avatar.sha256, picture)


def reportable(user) -> Avatar | None:
    """The avatar others see of this user (current, not rejected), which they may report."""
    return Avatar.objects.current().filter(user=user).exclude(moderation_status=Status.REJECTED).first()


AVATARS = Reviewable(
    kind=services.KIND,
    model=Avatar,
    lock=services.lock_avatar,
    approve=lambda avatar: services.avatar_approve(avatar=avatar),
    reject=lambda avatar: services.avatar_reject(avatar=avatar),
    describe=describe,
    may_wait=True,
    related_models=(AvatarVariant,),
    preview_html=preview_html,
    review_html=review_html,
    owner_summary=owner_summary,
    fingerprint=fingerprint_of,
    reportable=reportable,
    noun="avatar",
)
