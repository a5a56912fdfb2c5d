"""A user's avatar (what was uploaded) and its stored square variants."""
from functools import cached_property

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Count, Sum

from avatars import conf


class Avatar(models.Model):
    class Format(models.TextChoices):
        JPEG = "JPEG", "JPEG"
        PNG = "PNG", "PNG"
        GIF = "GIF", "GIF"
        WEBP = "WEBP", "WebP"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avatar")
    original_size = models.PositiveBigIntegerField(help_text="Bytes of the uploaded file.")
    original_width = models.PositiveIntegerField(help_text="Pixels, as stored (before EXIF rotation).")
    original_height = models.PositiveIntegerField(help_text="Pixels, as stored (before EXIF rotation).")
    original_format = models.CharField(max_length=4, choices=Format.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Avatar of {self.user}"

    @property
    def original_dimensions(self) -> str:
        return f"{self.original_width}x{self.original_height}"

    @cached_property
    def urls(self) -> dict[str, str]:
        """Variant URLs by size name, in VARIANT_SIZES order."""
        order = list(conf.VARIANT_SIZES)
        variants = sorted(self.variants.all(), key=lambda v: order.index(v.size) if v.size in order else len(order))
        return {v.size: v.url for v in variants}


class AvatarVariantQuerySet(models.QuerySet):
    def totals(self) -> dict[str, int]:
        """Number of stored files and their bytes, in one query."""
        totals = self.aggregate(files=Count("id"), bytes=Sum("file_size"))
        return {"files": totals["files"], "bytes": totals["bytes"] or 0}


class AvatarVariant(models.Model):
    avatar = models.ForeignKey(Avatar, on_delete=models.CASCADE, related_name="variants")
    size = models.CharField(max_length=16, choices=[(name, name) for name in conf.VARIANT_SIZES])
    name = models.CharField("storage name", max_length=255, unique=True,
                            help_text="Name of the file in the avatars storage.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file_size = models.PositiveIntegerField(help_text="Bytes.")
    content_type = models.CharField(max_length=32)

    objects = AvatarVariantQuerySet.as_manager()

    class Meta:
        ordering = ["avatar", "width", "id"]
        constraints = [models.UniqueConstraint(fields=["avatar", "size"], name="avatars_one_variant_per_size")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return storages[conf.STORAGE_ALIAS].url(self.name)
