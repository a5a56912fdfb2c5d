"""API checks of moderation: suspended uploaders, rejected files."""
from rest_framework import permissions, status

from critvue.exceptions import api_error


UploadsSuspended = api_error("UploadsSuspended", status.HTTP_403_FORBIDDEN, "uploads_suspended",
                             "A moderator has suspended your uploads.")
ModerationRejected = api_error("ModerationRejected", status.HTTP_410_GONE, "moderation_rejected",
                               "A moderator removed this file.")


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
