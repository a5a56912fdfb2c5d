"""Personas and the media files uploaded for them."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, FilteredRelation, Q, Sum

from mediakit.review import Moderated, Status
from persona_media.conf import DESCRIPTION_MAX_LENGTH


class PersonaQuerySet(models.QuerySet):
    def owned_by(self, user) -> "PersonaQuerySet":
        return self.filter(user=user)

    def with_media_totals(self) -> "PersonaQuerySet":
        """Each persona with `images`, `videos` and `total_size` of its media (one grouped query)."""
        # Joining on the owner too (always equal) lets the database find a user's media through
        # the stats index, whatever the sizes of other users' personas.
        # Rejected files have no stored bytes left and no longer count.
        # Counted: ready files (one being converted, or failed, serves nothing yet); `stored_size` also
        # holds the uploads waiting for their conversion (the quota counts them).
        media = FilteredRelation(
            "media_files",
            condition=Q(media_files__user=F("user"))
            & ~Q(media_files__moderation_status=Status.REJECTED)
            & ~Q(media_files__processing_status=Processing.FAILED),
        )
        ready = Q(own_media__processing_status=Processing.READY)
        return self.annotate(own_media=media).annotate(
            images=Count("own_media", filter=ready & Q(own_media__media_type=MediaFile.MediaType.IMAGE)),
            videos=Count("own_media", filter=ready & Q(own_media__media_type=MediaFile.MediaType.VIDEO)),
            total_size=Sum("own_media__size_bytes", filter=ready),
            stored_size=Sum("own_media__size_bytes"),
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

    def served(self) -> "MediaFileQuerySet":
        """Files whose stored bytes are what download serves: ready and not rejected."""
        return self.filter(processing_status=Processing.READY).exclude(moderation_status=Status.REJECTED)


class Processing(models.TextChoices):
    """Where a file is on its way to what it serves (API.md, "Processing states")."""

    READY = "ready"
    QUEUED = "queued"
    PROCESSING = "processing"
    FAILED = "failed"


class MediaFile(Moderated):
    class MediaType(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"

    # No single-column indexes: the composite indexes below start with each of these.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_files", db_index=False
    )
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="media_files", db_index=False)
    filename = models.CharField(max_length=64, help_text="A fresh UUID with the extension of the detected type.")
    stored_name = models.CharField(max_length=255, unique=True, help_text="The file's name in its storage.")
    original_filename = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(help_text="Bytes of the stored file.")
    mime_type = models.CharField(max_length=50)
    media_type = models.CharField(max_length=5, choices=MediaType.choices)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, from the decoded streams.")
    fps = models.FloatField(null=True, blank=True, help_text="Average frames per second.")
    video_codec = models.CharField(max_length=16, blank=True, default="")
    audio_codec = models.CharField(max_length=16, blank=True, default="")
    bitrate = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bits per second.")
    playable = models.BooleanField(
        null=True, blank=True, help_text="Whether browsers can play the stored video (files stored before checks)."
    )
    preview_name = models.CharField(
        max_length=255, blank=True, default="", help_text="The preview's name in the storage, beside the file."
    )
    preview_type = models.CharField(max_length=16, blank=True, default="")
    preview_bytes = models.PositiveIntegerField(null=True, blank=True)
    blurhash = models.CharField(max_length=64, blank=True, default="")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the stored (served) file.")
    source_sha256 = models.CharField(max_length=64, default="", help_text="SHA-256 of the uploaded bytes (duplicates).")
    original_mime_type = models.CharField(
        max_length=50, default="", help_text="What was uploaded; mime_type is what is served."
    )
    # Background processing: the row is the truth, a queued task only its doorbell (persona_media.jobs).
    processing_status = models.CharField(max_length=10, choices=Processing.choices, default=Processing.READY)
    processing_error = models.CharField(
        max_length=32, blank=True, default="", help_text="Why processing failed (a stable code)."
    )
    processing_detail = models.CharField(max_length=500, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Processing runs started.")
    queued_at = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=100, blank=True, default="", help_text="The worker running it.")
    lease_expires = models.DateTimeField(
        null=True, blank=True, help_text="Past this, the sweep hands the job to another worker."
    )
    pending_name = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="A result being written, removed if the job dies before the swap.",
    )
    processing_seconds = models.FloatField(null=True, blank=True, help_text="Conversion time of the result.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MediaFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The persona's listing, newest first.
            models.Index(fields=["persona", "-created_at", "-id"], name="persona_media_recent_idx"),
            # Statistics: a user's counts and sizes per persona and type without touching the table.
            models.Index(fields=["user", "persona", "media_type", "size_bytes"], name="persona_media_stats_idx"),
            # The same bytes again in a persona (409 duplicate_file), found by one index lookup.
            models.Index(fields=["persona", "source_sha256"], name="persona_media_source_dup_idx"),
            # The sweep and the queue metrics: unfinished jobs by state, oldest first.
            models.Index(
                fields=["processing_status", "queued_at"],
                name="persona_media_jobs_idx",
                condition=~Q(processing_status="ready"),
            ),
            models.Index(fields=["moderation_status", "created_at"], name="persona_media_review_idx"),
        ]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def stored_names(self) -> list[str]:
        """Every file of this row in the media storage: the upload (or its result), its preview, a result
        being written."""
        return [name for name in (self.stored_name, self.preview_name, self.pending_name) if name]

    @property
    def is_ready(self) -> bool:
        return self.processing_status == Processing.READY
