"""How a reviewer acts on avatars (mediakit.review): the effects are this app's services."""
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from avatars import services
from avatars.models import Avatar, AvatarVariant
from mediakit.review import Reviewable


def describe(avatar: Avatar) -> dict[str, object]:
    """The copies an audit event keeps, so it reads the same once the avatar is gone."""
    owner = avatar.user
    where = "current" if avatar.is_current else "waiting for approval"
    text = (f"Avatar #{avatar.pk} of {owner} ({where}; {avatar.original_dimensions} {avatar.original_format}, "
            f"{filesizeformat(avatar.original_bytes)})")
    return {"target_description": text, "owner": owner}


def preview_html(avatar: Avatar, side: int) -> str:
    """The large variant (512 px) shown at `side` px; '-' when its files are gone."""
    url = avatar.urls.get("large") or avatar.urls.get("full")
    if not url:
        return "-"
    return format_html('<img src="{}" width="{}" height="{}" alt="avatar {}" loading="lazy">',
                       url, side, side, avatar.pk)


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


AVATARS = Reviewable(
    kind=services.KIND, model=Avatar, lock=services.lock_avatar,
    approve=lambda avatar: services.avatar_approve(avatar=avatar),
    reject=lambda avatar: services.avatar_reject(avatar=avatar),
    describe=describe, may_wait=True, related_models=(AvatarVariant,),
    preview_html=preview_html, owner_summary=owner_summary,
)
