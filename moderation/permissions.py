"""API checks of moderation: suspended uploaders, rejected files."""
from rest_framework import exceptions, permissions, status


class UploadsSuspended(exceptions.PermissionDenied):
    default_detail = "A moderator has suspended your uploads."
    default_code = "uploads_suspended"


class ModerationRejected(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "A moderator removed this file."
    default_code = "moderation_rejected"


class UploadsAllowed(permissions.BasePermission):
    """Refuses uploads (POST) of a user whose uploads are suspended; reading and deleting still work."""

    def has_permission(self, request, view) -> bool:
        if request.method == "POST" and getattr(request.user, "uploads_suspended", False):
            raise UploadsSuspended()
        return True


def ensure_not_rejected(obj) -> None:
    """410 moderation_rejected for a rejected file: its row is still listed, its bytes are gone."""
    if obj.is_rejected:
        detail = f"A moderator removed this file: {obj.moderation_reason}" if obj.moderation_reason else None
        raise ModerationRejected(detail)
