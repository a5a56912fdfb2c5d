"""The audit trail of moderation decisions, and the users whose uploads are suspended."""
from django.conf import settings
from django.db import models


class Immutable(Exception):
    """An audit event is written once and never changed or deleted."""


class ModerationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise Immutable("Audit events cannot be changed.")

    def delete(self):
        raise Immutable("Audit events cannot be deleted.")


class ModerationEvent(models.Model):
    """Who decided what about whose thing, when and why; outlives the thing and the moderator."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"
        REMOVE = "remove", "Remove avatar"
        DELETE = "delete", "Delete media file"
        SUSPEND = "suspend", "Suspend uploads"
        RESTORE = "restore", "Restore uploads"

    class Kind(models.TextChoices):
        AVATAR = "avatar", "Avatar"
        MEDIA = "media", "Media file"
        USER = "user", "User"

    # Keys go NULL when their row goes; the copies beside them keep the event readable. The "email"
    # copies hold what people know the user by: the email, or the username of a model without one.
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moderator_email = models.EmailField(max_length=255)
    action = models.CharField(max_length=8, choices=Action.choices)
    target_kind = models.CharField(max_length=8, choices=Kind.choices)
    target_id = models.BigIntegerField()
    target_description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    owner_email = models.EmailField(max_length=255)
    persona_name = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ModerationEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="moderation_event_recent_idx"),
                   models.Index(fields=["target_kind", "target_id"], name="moderation_event_target_idx")]
        permissions = [("moderate", "Can approve and reject uploads and suspend uploaders")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_description}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise Immutable("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Immutable("Audit events cannot be deleted.")




class UploadSuspension(models.Model):
    """A user whose uploads every upload endpoint refuses (403 uploads_suspended) until a moderator restores them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upload_suspension")
    reason = models.CharField(max_length=500, blank=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", help_text="Who suspended the uploads.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "upload suspension"

    def __str__(self) -> str:
        return f"Uploads of {self.user} suspended"
