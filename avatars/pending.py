"""A waiting avatar, as its owner sees it: the `pending` object and the signed URL of its preview."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from avatars import conf
from avatars.models import Avatar
from mediakit.review import Status

SALT = "avatars.pending-preview"


def preview_url(request, avatar: Avatar) -> str:
    """The waiting avatar's medium variant for its owner's <img>: signed, it works without credentials until
    conf.PENDING_URL_TTL seconds from now."""
    token = signing.TimestampSigner(salt=SALT).sign_object([avatar.pk], compress=False)
    url = f"{reverse('avatars:pending-preview', kwargs={'pk': avatar.pk})}?sig={token}"
    return request.build_absolute_uri(url) if request is not None else url


def signed_pk(token: str) -> int:
    """The avatar id a token was signed for. Raises signing.SignatureExpired / BadSignature."""
    claim = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=conf.PENDING_URL_TTL)
    if not (isinstance(claim, list) and len(claim) == 1 and isinstance(claim[0], int)):
        raise signing.BadSignature("not a pending-preview token")
    return claim[0]


def pending_of(avatar: Avatar | None, request) -> dict | None:
    """`pending` of API.md: the waiting avatar, the last waiting one's rejection, or None."""
    if avatar is None or avatar.is_current:
        return None
    if avatar.moderation_status == Status.REJECTED:
        return {
            "moderation_status": Status.REJECTED,
            "moderation_reason": avatar.moderation_reason,
            "created_at": avatar.created_at,
        }
    return {
        "moderation_status": avatar.moderation_status,
        "preview_url": preview_url(request, avatar),
        "blurhash": avatar.blurhash,
        "created_at": avatar.created_at,
    }
