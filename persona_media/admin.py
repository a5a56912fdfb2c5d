"""Moderation: personas and media files with previews; deleting goes through the services."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html

from moderation import services as moderation
from persona_media import services
from persona_media.downloads import download_response
from persona_media.models import MediaFile, Persona

# Uploaded bytes shown in the admin's own origin: the browser may only render them, never run them.
PREVIEW_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


@admin.display(description="Preview")
def preview(media: MediaFile) -> str:
    """A thumbnail or a small player, fed by the staff-only preview view."""
    url = reverse("admin:persona_media_mediafile_preview", args=[media.pk])
    if media.media_type == MediaFile.MediaType.VIDEO:
        return format_html('<video src="{}" controls preload="none" width="160"></video>', url)
    return format_html('<img src="{}" alt="{}" loading="lazy" style="max-width:160px;max-height:120px">',
                       url, media.original_filename)


@admin.register(MediaFile)
class MediaFileAdmin(admin.ModelAdmin):
    list_display = (preview, "original_filename", "owner", "persona", "media_type", "size", "created_at")
    list_filter = ("media_type", "created_at")
    search_fields = ("user__email", "original_filename")
    list_select_related = ("user", "persona")
    date_hierarchy = "created_at"
    fields = (preview, "original_filename", "description", "user", "persona", "media_type", "mime_type",
              "size", "width", "height", "duration", "sha256", "filename", "stored_name", "created_at",
              "updated_at")
    readonly_fields = tuple(name for name in fields if name != "description")

    def has_add_permission(self, request) -> bool:
        # Files arrive only through the upload API, which validates their bytes.
        return False

    @admin.display(description="Owner", ordering="user__email")
    def owner(self, media: MediaFile) -> str:
        return media.user.email

    @admin.display(description="Size", ordering="size_bytes")
    def size(self, media: MediaFile) -> str:
        return filesizeformat(media.size_bytes)

    def delete_model(self, request, obj: MediaFile) -> None:
        moderation.remove(target=obj, moderator=request.user)

    def delete_queryset(self, request, queryset) -> None:
        # The stock "Delete selected" action lands here: rows, files after commit, an audit event each.
        moderation.apply_to_all(moderation.remove, queryset, moderator=request.user)

    def get_urls(self):
        view = self.admin_site.admin_view(self.preview_view)
        return [path("<int:pk>/preview/", view, name="persona_media_mediafile_preview"), *super().get_urls()]

    def preview_view(self, request, pk: int) -> HttpResponse:
        """The stored bytes, inline, for staff who may view this media file."""
        media = self.get_object(request, str(pk))
        if media is None:
            raise Http404("No such media file.")
        if not self.has_view_permission(request, media):
            raise PermissionDenied
        try:
            response = download_response(request, media, inline=True)
        except FileNotFoundError:
            raise Http404("The stored file is missing.") from None
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response


class MediaFileInline(admin.TabularInline):
    model = MediaFile
    fields = (preview, "original_filename", "media_type", "size", "moderation_status", "created_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    # Media are removed from their own admin page, so the service takes the stored file too.
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Size")
    def size(self, media: MediaFile) -> str:
        return filesizeformat(media.size_bytes)


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "media_count", "created_at")
    search_fields = ("name", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [MediaFileInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(media_count=Count("media_files"))

    @admin.display(description="Owner", ordering="user__email")
    def owner(self, persona: Persona) -> str:
        return persona.user.email

    @admin.display(description="Media files", ordering="media_count")
    def media_count(self, persona: Persona) -> int:
        return persona.media_count

    def delete_model(self, request, obj: Persona) -> None:
        services.persona_delete(persona=obj)

    def delete_queryset(self, request, queryset) -> None:
        services.persona_delete_many(queryset=queryset)
