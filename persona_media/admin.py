"""Moderation: personas and media files with previews; deleting goes through the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.html import format_html
from django.utils.text import Truncator

from mediakit import users
from mediakit.admin import breakable, when
from persona_media import jobs, services
from persona_media.downloads import download_response, preview_response
from persona_media.models import MediaFile, Persona, Processing
from persona_media.review import preview_html, review_html

# Uploaded bytes shown in the admin's own origin: the browser may only render them, never run them.
PREVIEW_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


class MediaColumns:
    """Columns both the media files' admin and a persona's inline of them show."""

    @admin.display(description="Preview")
    def preview(self, media: MediaFile) -> str:
        return preview_html(media, 160)

    @admin.display(description="Preview")
    def large_preview(self, media: MediaFile) -> str:
        return review_html(media)

    @admin.display(description="Plays in browsers")
    def playability(self, media: MediaFile) -> str:
        if media.media_type != MediaFile.MediaType.VIDEO:
            return "-"
        if media.playable is False:
            return format_html(
                '<strong style="color:#ba2121">No: browsers cannot play this video ({})</strong>',
                media.video_codec or "unknown codec",
            )
        return "Yes" if media.playable else "Not checked yet (manage.py generate_media_previews)"

    @admin.display(description="Processing", ordering="processing_status")
    def processing(self, media: MediaFile) -> str:
        """The state, and for a failure its code and why (what staff need to decide on a retry)."""
        if media.processing_status == Processing.FAILED:
            retry = " (retry possible)" if media.processing_error in jobs.RETRYABLE else ""
            return format_html(
                '<strong style="color:#ba2121">failed: {}</strong>{}<br><small>{}</small>',
                media.processing_error,
                retry,
                media.processing_detail,
            )
        if media.processing_status == Processing.READY:
            return "ready"
        return format_html("{}<br><small>attempt {}</small>", media.processing_status, media.attempts)


@admin.register(MediaFile)
class MediaFileAdmin(MediaColumns, admin.ModelAdmin):
    # The processing state shows under the details once it is anything but ready (a column of "ready" for every
    # picture would take the room the file names and owners need at 1280 px); filters find each state.
    list_display = ("preview", "file", "owner", "details", "uploaded")
    list_display_links = ("preview", "file")
    list_filter = ("processing_status", "processing_error", "media_type", "created_at")
    actions = ["retry_processing"]
    search_fields = (*users.search_fields("user__"), "original_filename", "persona__name")
    list_select_related = ("user", "persona")
    date_hierarchy = "created_at"
    fields = (
        "large_preview",
        "original_filename",
        "description",
        "user",
        "persona",
        "media_type",
        "mime_type",
        "original_mime_type",
        "processing",
        "processing_seconds",
        "attempts",
        "queued_at",
        "lease_holder",
        "lease_expires",
        "size",
        "width",
        "height",
        "duration",
        "fps",
        "video_codec",
        "audio_codec",
        "bitrate",
        "playability",
        "blurhash",
        "sha256",
        "source_sha256",
        "filename",
        "stored_name",
        "preview_name",
        "pending_name",
        "created_at",
        "updated_at",
    )
    readonly_fields = tuple(name for name in fields if name != "description")

    def has_add_permission(self, request) -> bool:
        # Files arrive only through the upload API, which validates their bytes.
        return False

    @admin.action(description="Retry processing of the selected failed files", permissions=["change"])
    def retry_processing(self, request, queryset) -> None:
        """Queue again the failures worth it (a timeout, a worker that kept dying); the others stay failed."""
        retried = sum(jobs.retry(media) for media in queryset.filter(processing_status=Processing.FAILED))
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} file(s) queued for processing again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} file(s) left as they are: not failed, or failed for a reason a "
                "retry cannot fix (the file itself).",
                messages.WARNING,
            )

    @admin.display(description="Owner", ordering=users.search_fields("user__")[-1])
    def owner(self, media: MediaFile) -> str:
        return breakable(users.identity(media.user))

    @admin.display(description="Size", ordering="size_bytes")
    def size(self, media: MediaFile) -> str:
        return filesizeformat(media.size_bytes)

    @admin.display(description="File", ordering="original_filename")
    def file(self, media: MediaFile) -> str:
        """The file's name, and its persona under it: one column."""
        return format_html(
            "{}<br><small>persona “{}”</small>",
            breakable(Truncator(media.original_filename).chars(40), min_width="6em"),
            breakable(media.persona.name),
        )

    @admin.display(description="Uploaded", ordering="created_at")
    def uploaded(self, media: MediaFile) -> str:
        return when(media.created_at)

    @admin.display(description="Details", ordering="size_bytes")
    def details(self, media: MediaFile) -> str:
        """Type and size, then the displayed dimensions (and a video's duration), then the processing state unless
        it is ready: one narrow column."""
        dimensions = f"{media.width}x{media.height}" if media.width and media.height else "-"
        duration = f", {media.duration:.1f} s" if media.duration is not None else ""
        state = "" if media.processing_status == Processing.READY else format_html("<br>{}", self.processing(media))
        return format_html(
            "{}, {}<br>{}{}{}", media.media_type, filesizeformat(media.size_bytes), dimensions, duration, state
        )

    # Deleting goes through the service: the files go after commit, and a reviewer app records who did it.
    def delete_model(self, request, obj: MediaFile) -> None:
        services.media_delete(media=obj, moderator=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for media in queryset:
            services.media_delete(media=media, moderator=request.user)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        original = self.admin_site.admin_view(self.original_view)
        return [
            path("<int:pk>/preview/", preview, name="persona_media_mediafile_preview"),
            path("<int:pk>/original/", original, name="persona_media_mediafile_original"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int) -> HttpResponseBase:
        """The preview image, for staff who may view this media file."""

        def respond(media: MediaFile) -> HttpResponseBase:
            if not media.preview_name:
                raise Http404("This media file has no preview yet.")
            return preview_response(request, media)

        return self._serve(request, pk, respond)

    def original_view(self, request, pk: int) -> HttpResponseBase:
        """The uploaded bytes, inline, for staff who may view this media file."""
        return self._serve(request, pk, lambda media: download_response(request, media, inline=True))

    def _serve(self, request, pk: int, respond) -> HttpResponseBase:
        media = self.get_object(request, str(pk))
        if media is None:
            raise Http404("No such media file.")
        if not self.has_view_permission(request, media):
            raise PermissionDenied
        try:
            response = respond(media)
        except FileNotFoundError:
            raise Http404("The stored file is missing.") from None
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response


class MediaFileInline(MediaColumns, admin.TabularInline):
    model = MediaFile
    fields = ("preview", "original_filename", "media_type", "size", "moderation_status", "created_at")
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
    search_fields = ("name", *users.search_fields("user__"))
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [MediaFileInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(media_count=Count("media_files"))

    @admin.display(description="Owner", ordering=users.search_fields("user__")[-1])
    def owner(self, persona: Persona) -> str:
        return breakable(users.identity(persona.user))

    @admin.display(description="Media files", ordering="media_count")
    def media_count(self, persona: Persona) -> int:
        return persona.media_count  # type: ignore[attr-defined]  # annotated by get_queryset

    def delete_model(self, request, obj: Persona) -> None:
        services.persona_delete(persona=obj)

    def delete_queryset(self, request, queryset) -> None:
        services.persona_delete_many(queryset=queryset)
