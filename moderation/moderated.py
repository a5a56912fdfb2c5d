"""The moderation state that avatars and media files carry on their own rows."""
from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Moderated(models.Model):
    """Abstract: status, reason, by whom and when. Inherited by Avatar and MediaFile."""

    moderation_status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    moderation_reason = models.CharField(max_length=500, blank=True, help_text="Why it was rejected.")
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", help_text="The moderator of the last decision.")
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_rejected(self) -> bool:
        return self.moderation_status == Status.REJECTED
