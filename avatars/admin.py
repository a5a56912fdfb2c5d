"""Avatars in the admin: previews through staff-only routes (a waiting avatar's files are not public)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.html import format_html

from avatars import review, services
from avatars.models import Avatar, AvatarVariant
from avatars.views import variant_response
from mediakit import users
from mediakit.admin import when

# Stored images shown in the admin's own origin: rendered, never run, and never cached by a shared cache.
STAFF_FILE_HEADERS = {"Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox"}
STAFF_CACHE = "private, no-cache"


class AvatarVariantInline(admin.TabularInline):
    model = AvatarVariant
    # The stored name is the row's own title above it: no column of its own, so the table fits 1280 px.
    fields = ("label", "image", "width", "height", "stored_size", "content_type")
    readonly_fields = fields
    extra = 0
    # Variants are made by the upload pipeline, never by hand; they go with their avatar.
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="preview")
    def image(self, variant: AvatarVariant) -> str:
        side = min(variant.width, 128)
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="">',
            review.image_url(variant.avatar_id, variant.label),
            side,
            side,
        )

    @admin.display(description="size")
    def stored_size(self, variant: AvatarVariant) -> str:
        return filesizeformat(variant.size_bytes)


@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin):
    # Few, narrow columns: the table fits a 1280 px window beside the admin's side bar and filters.
    list_display = ("thumbnail", "user", "moderation_status", "details", "uploaded")
    list_display_links = ("thumbnail", "user")
    list_filter = ("moderation_status", "original_format", "created_at")
    list_select_related = ("user",)
    search_fields = users.search_fields("user__")
    date_hierarchy = "created_at"
    fields = (
        "user",
        "moderation_status",
        "moderation_reason",
        "shown",
        "original_format",
        "dimensions",
        "upload_size",
        "moderated_by",
        "moderated_at",
        "created_at",
    )
    readonly_fields = fields
    inlines = [AvatarVariantInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("variants")
            .annotate(stored_bytes=Sum("variants__size_bytes"))
        )

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

    def get_urls(self):
        image = self.admin_site.admin_view(self.image_view)
        return [path("<int:pk>/image/<str:label>/", image, name="avatars_avatar_image"), *super().get_urls()]

    def image_view(self, request, pk: int, label: str) -> HttpResponseBase:
        """A variant of any avatar (waiting ones included), for staff who may view avatars; never public."""
        avatar = self.get_object(request, str(pk))
        if avatar is None:
            raise Http404("No such avatar.")
        if not self.has_view_permission(request, avatar):
            raise PermissionDenied
        variant = avatar.variants.filter(label=label).first()
        if variant is None:
            raise Http404("This avatar has no such image (a rejected avatar's files are deleted).")
        return variant_response(request, variant, cache_control=STAFF_CACHE, headers=STAFF_FILE_HEADERS)

    @admin.display(description="Uploaded", ordering="created_at")
    def uploaded(self, avatar: Avatar) -> str:
        return when(avatar.created_at)

    @admin.display(description="Avatar")
    def thumbnail(self, avatar: Avatar) -> str:
        return review.preview_html(avatar, 64)

    @admin.display(description="Details", ordering="original_bytes")
    def details(self, avatar: Avatar) -> str:
        return format_html(
            "{} {}<br>{} uploaded, {} stored<br><small>{}</small>",
            avatar.original_dimensions,
            avatar.original_format,
            filesizeformat(avatar.original_bytes),
            self.stored_size(avatar),
            self.shown(avatar),
        )

    @admin.display(description="Shown to others")
    def shown(self, avatar: Avatar) -> str:
        if not avatar.is_current:
            return "Not yet: waits for approval" if not avatar.is_rejected else "No: rejected while it waited"
        return "No: rejected" if avatar.is_rejected else "Yes: it is the user's avatar"

    @admin.display(description="dimensions")
    def dimensions(self, avatar: Avatar) -> str:
        return avatar.original_dimensions

    @admin.display(description="upload size", ordering="original_bytes")
    def upload_size(self, avatar: Avatar) -> str:
        return filesizeformat(avatar.original_bytes)

    @admin.display(description="stored size", ordering="stored_bytes")
    def stored_size(self, avatar: Avatar) -> str:
        return filesizeformat(getattr(avatar, "stored_bytes", None) or 0)
