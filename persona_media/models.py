"""Personas and the media files uploaded for them."""
from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum

from persona_media.conf import DESCRIPTION_MAX_LENGTH


class PersonaQuerySet(models.QuerySet):
    def owned_by(self, user) -> "PersonaQuerySet":
        return self.filter(user=user)

    def with_media_totals(self) -> "PersonaQuerySet":
        """Each persona with `images`, `videos` and `total_size` of its media (one grouped query)."""
        return self.annotate(
            images=Count("media_files", filter=Q(media_files__media_type=MediaFile.MediaType.IMAGE)),
            videos=Count("media_files", filter=Q(media_files__media_type=MediaFile.MediaType.VIDEO)),
            total_size=Sum("media_files__file_size"),
        )


class Persona(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonaQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class MediaFileQuerySet(models.QuerySet):
    def owned_by(self, user) -> "MediaFileQuerySet":
        return self.filter(user=user)


class MediaFile(models.Model):
    class MediaType(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_files")
    # No index of its own: both composite indexes below start with the persona.
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="media_files", db_index=False)
    filename = models.CharField(max_length=64, help_text="A fresh UUID with the extension of the detected type.")
    stored_name = models.CharField(max_length=255, unique=True, help_text="The file's name in its storage.")
    original_filename = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    mime_type = models.CharField(max_length=50)
    media_type = models.CharField(max_length=5, choices=MediaType.choices)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, when the container says.")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MediaFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The persona's listing, newest first.
            models.Index(fields=["persona", "-created_at", "-id"], name="persona_media_recent_idx"),
            # Statistics: counts and sizes per persona and type without touching the table.
            models.Index(fields=["persona", "media_type", "file_size"], name="persona_media_stats_idx"),
        ]

    def __str__(self) -> str:
        return self.original_filename
