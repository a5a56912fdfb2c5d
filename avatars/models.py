"""A user's avatar (what was uploaded) and its stored square variants."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Count, Sum

from avatars import conf
from mediakit.review import Moderated


class AvatarQuerySet(models.QuerySet):
    def current(self) -> AvatarQuerySet:
        """The avatars that stand for their users (approved, post-moderated pending, or rejected)."""
        return self.filter(is_current=True)

    def awaiting(self) -> AvatarQuerySet:
        """Pre-moderated uploads, not public until approved, and the last one rejected (its reason for its owner)."""
        return self.filter(is_current=False)


class Avatar(Moderated):
    class Format(models.TextChoices):
        JPEG = "JPEG", "JPEG"
        PNG = "PNG", "PNG"
        GIF = "GIF", "GIF"
        WEBP = "WEBP", "WebP"
        AVIF = "AVIF", "AVIF"
        HEIF = "HEIF", "HEIF"

    # A user has at most one current avatar and, in pre-moderation, at most one waiting beside it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avatars")
    is_current = models.BooleanField(default=True, help_text="False while a pre-moderated upload waits.")
    original_bytes = models.PositiveBigIntegerField(help_text="Bytes of the uploaded file.")
    original_width = models.PositiveIntegerField(help_text="Pixels, as stored (before EXIF rotation).")
    original_height = models.PositiveIntegerField(help_text="Pixels, as stored (before EXIF rotation).")
    original_format = models.CharField(max_length=4, choices=Format.choices)
    blurhash = models.CharField(max_length=64, blank=True, default="", help_text="BlurHash of the medium variant.")
    # What a reviewer may block if it is rejected (mediakit.review.Fingerprint): the upload's own bytes are not kept.
    sha256 = models.CharField(max_length=64, blank=True, default="", help_text="SHA-256 of the uploaded file.")
    picture_hash = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Perceptual (PDQ) hash of the uploaded picture, when a reviewer made one.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AvatarQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_current=True), name="avatars_one_current_per_user"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_current=False), name="avatars_one_waiting_per_user"
            ),
        ]
        indexes = [models.Index(fields=["moderation_status", "created_at"], name="avatars_review_queue_idx")]

    def __str__(self) -> str:
        return f"Avatar of {self.user}"

    @property
    def stored_names(self) -> list[str]:
        """Every file this avatar has in storage."""
        return [variant.stored_name for variant in self.variants.all()]

    @property
    def original_dimensions(self) -> str:
        return f"{self.original_width}x{self.original_height}"

    @cached_property
    def urls(self) -> dict[str, str]:
        """Variant URLs by label, in VARIANT_SIZES order."""
        return self.urls_of(self.variants.all())

    @staticmethod
    def urls_of(variants: Iterable[AvatarVariant]) -> dict[str, str]:
        """These variants' URLs by label, in VARIANT_SIZES order."""
        order = list(conf.VARIANT_SIZES)
        ordered = sorted(variants, key=lambda v: order.index(v.label) if v.label in order else len(order))
        return {v.label: v.url for v in ordered}

    @property
    def url(self) -> str | None:
        """The URL that stands for the avatar: its DEFAULT_SIZE variant's (the profile's avatar_url)."""
        return self.urls.get(conf.DEFAULT_SIZE)


class AvatarVariantQuerySet(models.QuerySet):
    def totals(self) -> dict[str, int]:
        """Number of stored files and their bytes, in one query."""
        totals = self.aggregate(files=Count("id"), bytes=Sum("size_bytes"))
        return {"files": totals["files"], "bytes": totals["bytes"] or 0}


class AvatarVariant(models.Model):
    avatar = models.ForeignKey(Avatar, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=16, choices=[(label, label) for label in conf.VARIANT_SIZES])
    stored_name = models.CharField(max_length=255, unique=True, help_text="Name of the file in the avatars storage.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField(help_text="Bytes of the stored file.")
    content_type = models.CharField(max_length=32)

    objects = AvatarVariantQuerySet.as_manager()

    class Meta:
        ordering = ["avatar", "width", "id"]
        constraints = [models.UniqueConstraint(fields=["avatar", "label"], name="avatars_one_variant_per_size")]

    def __str__(self) -> str:
        return self.stored_name

    @property
    def url(self) -> str:
        return conf.file_url(self.stored_name)
