"""Moderation on the users' pages (suspend and restore uploads; what each user uploaded), and the suspensions."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils.html import format_html_join

from mediakit import review, users
from mediakit.admin import breakable, when
from moderation import services
from moderation.admin.pages import ask_then_apply, never
from moderation.models import UploadSuspension

if TYPE_CHECKING:  # the mixin is only ever mixed into the user model's ModelAdmin
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class UserModerationMixin(_ModelAdmin):
    """Mixed into the host's ModelAdmin of its user model (see `moderate_site`)."""

    extra_actions = ("suspend_uploads", "restore_uploads")

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    def get_queryset(self, request):
        suspended = UploadSuspension.objects.filter(user=OuterRef("pk"))
        return super().get_queryset(request).annotate(uploads_are_suspended=Exists(suspended))

    def get_list_display(self, request):
        return [*super().get_list_display(request), "uploads_suspended"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "uploads_suspended", "uploads"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, ("Moderation", {"fields": ("uploads_suspended", "uploads")}))

    @admin.action(description="Suspend uploads (asks for a reason)…", permissions=["moderate"])
    def suspend_uploads(self, request, queryset):
        return ask_then_apply(
            self,
            request,
            queryset,
            action="suspend_uploads",
            title="Suspend uploads: why?",
            button="Suspend uploads",
            form_kwargs={"kind": "user"},
            warning="Every upload of theirs is refused until a moderator restores it; "
            "what they uploaded stays as it is.",
            apply=lambda data: sum(
                services.suspend_uploads(user=u, moderator=request.user, reason=data["reason"]) for u in queryset
            ),
            done="Suspended the uploads of {count} user(s).",
            describe=users.identity,
        )

    @admin.action(description="Restore uploads", permissions=["moderate"])
    def restore_uploads(self, request, queryset) -> None:
        count = sum(services.restore_uploads(user=u, moderator=request.user) for u in queryset)
        self.message_user(request, f"Restored the uploads of {count} user(s).", messages.SUCCESS)

    @admin.display(description="Suspended", boolean=True)
    def uploads_suspended(self, user) -> bool:
        annotated = getattr(user, "uploads_are_suspended", None)
        return services.is_suspended(user) if annotated is None else annotated

    @admin.display(description="Uploads")
    def uploads(self, user) -> str:
        """What each reviewable app shows of this user's uploads (thumbnails linking to their pages)."""
        parts = [r.owner_summary(user) for r in review.reviewables() if r.owner_summary is not None]
        return format_html_join("", "{}", ((part,) for part in parts)) or "-"


@admin.register(UploadSuspension)
class UploadSuspensionAdmin(admin.ModelAdmin):
    """Who may not upload, since when and why; restore from here or from the users' list."""

    list_display = ("user", "reason", "by", "since")
    search_fields = users.search_fields("user__")
    list_select_related = ("user", "moderator")
    fields = ("user", "reason", "moderator", "created_at")
    readonly_fields = fields
    actions = ["restore"]
    # Suspending is an action on the users' list (with a reason and an audit event), not a form here.
    has_add_permission = has_change_permission = has_delete_permission = never

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    @admin.display(description="Suspended by", ordering="moderator")
    def by(self, suspension: UploadSuspension) -> str:
        return breakable(users.identity(suspension.moderator))

    @admin.display(description="Since", ordering="created_at")
    def since(self, suspension: UploadSuspension) -> str:
        return when(suspension.created_at)

    @admin.action(description="Restore the uploads of the selected users", permissions=["moderate"])
    def restore(self, request, queryset) -> None:
        count = sum(services.restore_uploads(user=s.user, moderator=request.user) for s in queryset)
        self.message_user(request, f"Restored the uploads of {count} user(s).", messages.SUCCESS)
