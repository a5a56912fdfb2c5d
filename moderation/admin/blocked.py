"""Blocked content: what rejections put on the blocklist, and lifting an entry (an audit event)."""

from django.contrib import admin

from mediakit.admin import breakable, when
from moderation import services
from moderation.admin.forms import ConfirmForm
from moderation.admin.pages import ask_then_apply, never
from moderation.models import BlockedContent


@admin.register(BlockedContent)
class BlockedContentAdmin(admin.ModelAdmin):
    """Entries are added by rejecting with "Block it from coming back"; nothing of the content itself is kept."""

    list_display = ("what", "matches", "reason", "by", "blocked")
    list_filter = ("source_kind", "created_at")
    search_fields = ("description", "reason", "moderator_email", "sha256", "source_sha256")
    fields = (
        "description",
        "source_kind",
        "source_id",
        "matches",
        "sha256",
        "source_sha256",
        "picture_hash",
        "reason",
        "moderator_email",
        "moderator",
        "created_at",
    )
    readonly_fields = fields
    actions = ["lift"]
    has_add_permission = has_change_permission = has_delete_permission = never

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    @admin.display(description="Blocked content", ordering="description")
    def what(self, entry: BlockedContent) -> str:
        return entry.description

    @admin.display(description="Refuses")
    def matches(self, entry: BlockedContent) -> str:
        if entry.picture_hash:
            return "the picture and its copies"
        return "these exact bytes, and the upload they were made from" if entry.source_sha256 else "these exact bytes"

    def changelist_view(self, request, extra_context=None):
        title = "Blocked content: uploads refused because a moderator rejected them"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description="Moderator", ordering="moderator_email")
    def by(self, entry: BlockedContent) -> str:
        return breakable(entry.moderator_email)

    @admin.display(description="Blocked", ordering="created_at")
    def blocked(self, entry: BlockedContent) -> str:
        return when(entry.created_at)

    @admin.action(description="Lift the selected blocks…", permissions=["moderate"])
    def lift(self, request, queryset):
        return ask_then_apply(
            self,
            request,
            queryset,
            action="lift",
            title="Lift these blocks?",
            button="Lift",
            form_class=ConfirmForm,
            warning="The content may be uploaded again (and waits for review as usual).",
            apply=lambda data: sum(
                services.lift_block(entry=e, moderator=request.user, reason=data["reason"]) for e in queryset
            ),
            done="Lifted {count} block(s).",
            describe=lambda e: e.description,
        )
