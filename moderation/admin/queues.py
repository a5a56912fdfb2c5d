"""The review queues: pending first, oldest first, with large previews; approve, or reject with a reason."""
from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.utils.html import format_html
from django.utils.text import Truncator

from moderation import services
from moderation.admin.pages import ask_then_decide, never
from moderation.models import AvatarReview, MediaReview
from moderation.moderated import Status
from moderation.previews import avatar_preview, media_preview, size_text, when

PENDING_FIRST = Case(When(moderation_status=Status.PENDING, then=Value(0)), default=Value(1)).asc()


class QueueAdmin(admin.ModelAdmin):
    """Read-only rows; decisions are the actions, which need `moderation.moderate` (not delete)."""

    actions = ["approve", "reject"]
    list_filter = ("moderation_status",)
    list_per_page = 50
    # The details page has Approve and Reject buttons, which run the same actions on this one row.
    change_form_template = "admin/moderation/review_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_moderate": self.has_moderate_permission(request)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_ordering(self, request):
        return [PENDING_FIRST, "created_at", "id"]

    # Rows come from uploads and change only through decisions: nothing to add, edit or delete here.
    has_add_permission = has_change_permission = has_delete_permission = never

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    @admin.action(description="Approve selected", permissions=["moderate"])
    def approve(self, request, queryset) -> None:
        count = services.apply_to_all(services.approve, queryset, moderator=request.user)
        self.message_user(request, f"Approved {count}.", messages.SUCCESS)

    @admin.action(description="Reject selected (asks for a reason)…", permissions=["moderate"])
    def reject(self, request, queryset):
        return ask_then_decide(
            self, request, queryset, services.reject, action="reject", title="Reject: why?", button="Reject",
            done="Rejected {count}; their files are being removed.", describe=self.describe)

    def describe(self, obj) -> str:
        return str(obj)

    @admin.display(description="Status", ordering="moderation_status")
    def status(self, obj) -> str:
        """The state, with the reason (shortened) under a rejection: one narrow column."""
        if not obj.moderation_reason:
            return obj.get_moderation_status_display()
        return format_html("{}<br><small>{}</small>", obj.get_moderation_status_display(),
                           Truncator(obj.moderation_reason).chars(40))

    @admin.display(description="Reason")
    def reason(self, obj) -> str:
        return Truncator(obj.moderation_reason).chars(60)

    @admin.display(description="Uploaded", ordering="created_at")
    def uploaded(self, obj) -> str:
        return when(obj.created_at)

    @admin.display(description="Owner", ordering="user__email")
    def owner(self, obj) -> str:
        return obj.user.email


@admin.register(AvatarReview)
class AvatarQueueAdmin(QueueAdmin):
    # Narrow columns: with the admin's side bar and filters open, the table fits a 1280 px window.
    list_display = ("large_preview", "owner", "status", "details", "uploaded")
    list_display_links = ("large_preview", "owner")
    list_filter = ("moderation_status", "is_current")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    fields = ("large_preview", "owner", "status", "reason", "waiting", "dimensions", "original_format",
              "upload_size", "moderated_by", "moderated_at", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("variants")

    def describe(self, avatar) -> str:
        return f"Avatar of {avatar.user.email} ({avatar.original_dimensions}, {size_text(avatar.original_bytes)})"

    @admin.display(description="Preview")
    def large_preview(self, avatar) -> str:
        return avatar_preview(avatar)

    @admin.display(description="Details", ordering="original_bytes")
    def details(self, avatar) -> str:
        waiting = " (waiting: not public yet)" if not avatar.is_current else ""
        return format_html("{}<br>{}{}", avatar.original_dimensions, size_text(avatar.original_bytes), waiting)

    @admin.display(description="Waiting", boolean=True)
    def waiting(self, avatar) -> bool:
        """Pre-moderated: not public until approved."""
        return not avatar.is_current

    @admin.display(description="Dimensions")
    def dimensions(self, avatar) -> str:
        return avatar.original_dimensions

    @admin.display(description="Size", ordering="original_bytes")
    def upload_size(self, avatar) -> str:
        return size_text(avatar.original_bytes)


@admin.register(MediaReview)
class MediaQueueAdmin(QueueAdmin):
    list_display = ("large_preview", "file", "owner", "status", "details", "uploaded")
    list_display_links = ("large_preview", "file")
    list_filter = ("moderation_status", "media_type")
    list_select_related = ("user", "persona")
    search_fields = ("user__email", "original_filename", "persona__name")
    fields = ("large_preview", "original_filename", "description", "owner", "persona", "status", "reason",
              "media_type", "mime_type", "size", "dimensions", "duration_text", "moderated_by", "moderated_at",
              "created_at")
    readonly_fields = fields

    def describe(self, media) -> str:
        return (f"{media.original_filename} ({media.media_type}, {size_text(media.size_bytes)}) "
                f"in “{media.persona.name}” of {media.user.email}")

    @admin.display(description="Preview")
    def large_preview(self, media) -> str:
        return media_preview(media)

    @admin.display(description="File", ordering="original_filename")
    def file(self, media) -> str:
        return format_html("{}<br><small>persona “{}”</small>", Truncator(media.original_filename).chars(40),
                           media.persona.name)

    @admin.display(description="Details", ordering="size_bytes")
    def details(self, media) -> str:
        duration = f", {self.duration_text(media)}" if media.duration is not None else ""
        return format_html("{}, {}<br>{}{}", media.media_type, size_text(media.size_bytes),
                           self.dimensions(media), duration)

    @admin.display(description="Size", ordering="size_bytes")
    def size(self, media) -> str:
        return size_text(media.size_bytes)

    @admin.display(description="Dimensions")
    def dimensions(self, media) -> str:
        return f"{media.width}x{media.height}" if media.width and media.height else "-"

    @admin.display(description="Duration", ordering="duration")
    def duration_text(self, media) -> str:
        return f"{media.duration:.1f} s" if media.duration is not None else "-"
