"""What a decision does to each kind of target: the effects stay in the owning app's services."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.core.files.storage import storages
from django.template.defaultfilters import filesizeformat

from avatars import services as avatar_services
from avatars.models import Avatar
from mediakit.files import delete_on_commit
from persona_media import conf as media_conf
from persona_media import services as media_services
from persona_media.models import MediaFile


@dataclass(frozen=True)
class Target:
    kind: str
    lock: Callable  # the row locked for the decision, or None when it is gone
    on_reject: Callable  # removes the stored bytes; True when the row stays
    on_approve: Callable
    remove: Callable  # the outright removal ("Remove avatar", "Delete media file"); True if it went
    remove_action: str


def _lock_media(media: MediaFile) -> MediaFile | None:
    return MediaFile.objects.select_for_update().select_related("user", "persona").filter(pk=media.pk).first()


def _reject_media(media: MediaFile) -> bool:
    delete_on_commit(storages[media_conf.STORAGE_ALIAS], media.stored_names)
    return True


def _remove_media(media: MediaFile) -> bool:
    media_services.media_delete(media=media)
    return True


AVATAR = Target("avatar", avatar_services.lock_avatar, lambda a: avatar_services.avatar_reject(avatar=a),
                lambda a: avatar_services.avatar_approve(avatar=a), lambda a: avatar_services.avatar_remove(avatar=a),
                "remove")
MEDIA = Target("media", _lock_media, _reject_media, lambda m: None, _remove_media, "delete")


def target_of(obj) -> Target:
    if isinstance(obj, Avatar):
        return AVATAR
    if isinstance(obj, MediaFile):
        return MEDIA
    raise TypeError(f"{type(obj).__name__} is not moderated.")


def describe(obj) -> dict[str, object]:
    """The copies an audit event keeps of its target, so it reads the same after the target is gone."""
    if isinstance(obj, Avatar):
        where = "current" if obj.is_current else "waiting for approval"
        text = (f"Avatar #{obj.pk} of {obj.user.email} ({where}; {obj.original_dimensions} {obj.original_format}, "
                f"{filesizeformat(obj.original_bytes)})")
        return {"target_description": text, "owner": obj.user, "owner_email": obj.user.email}
    text = (f"{obj.get_media_type_display()} #{obj.pk} “{obj.original_filename}” in persona “{obj.persona.name}” "
            f"of {obj.user.email} ({filesizeformat(obj.size_bytes)})")
    return {"target_description": text[:500], "owner": obj.user, "owner_email": obj.user.email,
            "persona_name": obj.persona.name, "filename": obj.original_filename}
