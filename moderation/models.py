"""The audit trail of moderation decisions, the users whose uploads are suspended, users' reports, blocked content."""

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
        DISMISS = "dismiss", "Dismiss reports"
        BLOCK = "block", "Block content"
        LIFT = "lift", "Lift a block"

    class Kind(models.TextChoices):
        AVATAR = "avatar", "Avatar"
        MEDIA = "media", "Media file"
        USER = "user", "User"
        BLOCKED = "blocked", "Blocked content"

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
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="moderation_event_recent_idx"),
            models.Index(fields=["target_kind", "target_id"], name="moderation_event_target_idx"),
        ]
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
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who suspended the uploads.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "upload suspension"

    def __str__(self) -> str:
        return f"Uploads of {self.user} suspended"


class Report(models.Model):
    """A user's report of something another user shows publicly (an avatar), open until a moderator resolves it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REJECTED = "rejected", "Resolved: rejected"
        DISMISSED = "dismissed", "Resolved: dismissed"

    kind = models.CharField(max_length=8, help_text="What was reported, as the review seam names it: avatar.")
    target_id = models.BigIntegerField(help_text="The reported item's id (the avatar at the time of the report).")
    # Reports go with either account: they speak of that user's public content, by that reporter.
    target_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=1000)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "kind", "target_id"],
                condition=models.Q(status="open"),
                name="moderation_one_open_report",
            )
        ]
        indexes = [models.Index(fields=["status", "kind", "target_id"], name="moderation_report_queue_idx")]

    def __str__(self) -> str:
        return f"Report #{self.pk} of {self.kind} #{self.target_id}"


class BlockedContent(models.Model):
    """Rejected content no one may upload again: its exact bytes, and for a picture any copy within reach of its
    perceptual hash (found through BlockedChunk, the pigeonhole index of mediakit.fingerprint)."""

    sha256 = models.CharField(max_length=64, db_index=True)
    source_sha256 = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="SHA-256 of the upload the stored file was converted from (a video, a HEIC photo); blocked too.",
    )
    picture_hash = models.CharField(max_length=64, blank=True, help_text="PDQ hash (hex) of a picture.")
    source_kind = models.CharField(
        max_length=8, choices=[("avatar", "Avatar"), ("media", "Media file")], help_text="What was rejected."
    )
    source_id = models.BigIntegerField()
    description = models.CharField(max_length=500, help_text="The rejected item, as the audit trail describes it.")
    reason = models.CharField(max_length=500, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderator_email = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "blocked content"
        verbose_name_plural = "blocked content"

    def __str__(self) -> str:
        return f"Blocked: {self.description}"


class BlockedChunk(models.Model):
    """One 16-bit chunk of a blocked picture's hash, as `position << 16 | value`: 16 rows per picture."""

    entry = models.ForeignKey(BlockedContent, on_delete=models.CASCADE, related_name="chunks", db_index=False)
    key = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "key"], name="moderation_one_chunk_per_key")]
        # The probe: the entries holding any of 272 keys, from the index alone (no table row read once vacuumed).
        indexes = [models.Index(fields=["key", "entry"], name="moderation_chunk_probe_idx")]

    def __str__(self) -> str:
        return f"chunk {self.key >> 16} = {self.key & 0xFFFF:#06x} of {self.entry_id}"
