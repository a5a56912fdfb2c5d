from django.contrib import admin
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from avatars import services
from avatars.models import Avatar, AvatarVariant
from mediakit import users
from mediakit.admin import when


def preview(url: str | None, side: int) -> str:
    if not url:
        return "-"
    return format_html('<img src="{}" width="{}" height="{}" alt="" style="object-fit: cover">', url, side, side)


class AvatarVariantInline(admin.TabularInline):
    model = AvatarVariant
    fields = ("label", "image", "stored_name", "width", "height", "stored_size", "content_type")
    readonly_fields = fields
    extra = 0
    # Variants are made by the upload pipeline, never by hand; they go with their avatar.
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="preview")
    def image(self, variant: AvatarVariant) -> str:
        return preview(variant.url, min(variant.width, 128))

    @admin.display(description="size")
    def stored_size(self, variant: AvatarVariant) -> str:
        return filesizeformat(variant.size_bytes)


@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin):
    # Few, narrow columns: the table fits a 1280 px window beside the admin's side bar and filters.
    list_display = ("thumbnail", "user", "moderation_status", "details", "uploaded")
    list_display_links = ("thumbnail", "user")
    list_filter = ("moderation_status", "is_current", "original_format", "created_at")
    list_select_related = ("user",)
    search_fields = users.search_fields("user__")
    date_hierarchy = "created_at"
    fields = ("user", "moderation_status", "moderation_reason", "is_current", "original_format", "dimensions",
              "upload_size", "moderated_by", "moderated_at", "created_at")
    readonly_fields = fields
    inlines = [AvatarVariantInline]

    def get_queryset(self, request):
        return (super().get_queryset(request).prefetch_related("variants")
                .annotate(stored_bytes=Sum("variants__size_bytes")))

    def has_add_permission(self, request) -> bool:
        # Avatars come only from the upload pipeline (validation, processing, variants).
        return False

    # Deleting (the page's button and "Delete selected") goes through the service: the profile's URL
    # follows, the files go after commit, and a reviewer app records who removed it.
    def delete_model(self, request, obj: Avatar) -> None:
        services.avatar_remove(avatar=obj, moderator=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for avatar in queryset:
            services.avatar_remove(avatar=avatar, moderator=request.user)

    @admin.display(description="Uploaded", ordering="created_at")
    def uploaded(self, avatar: Avatar) -> str:
        return when(avatar.created_at)

    @admin.display(description="preview")
    def thumbnail(self, avatar: Avatar) -> str:
        return preview(avatar.urls.get("thumbnail"), 64)

    @admin.display(description="details", ordering="original_bytes")
    def details(self, avatar: Avatar) -> str:
        waiting = "; waiting for approval" if not avatar.is_current else ""
        return format_html("{} {}<br>{} uploaded, {} stored{}", avatar.original_dimensions, avatar.original_format,
                           filesizeformat(avatar.original_bytes), self.stored_size(avatar), waiting)

    @admin.display(description="dimensions")
    def dimensions(self, avatar: Avatar) -> str:
        return avatar.original_dimensions

    @admin.display(description="upload size", ordering="original_bytes")
    def upload_size(self, avatar: Avatar) -> str:
        return filesizeformat(avatar.original_bytes)

    @admin.display(description="stored size", ordering="stored_bytes")
    def stored_size(self, avatar: Avatar) -> str:
        return filesizeformat(getattr(avatar, "stored_bytes", None) or 0)
