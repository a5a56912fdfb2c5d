"""The audit log: readable by moderators, changeable by nobody (superusers included)."""

from django.contrib import admin
from django.utils.text import Truncator

from mediakit.admin import breakable, when
from moderation.admin.pages import never
from moderation.models import ModerationEvent


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    # Narrow columns: with the admin's side bar and filters open, the table fits a 1280 px window.
    list_display = ("at", "action", "what", "moderator", "why")
    list_filter = ("action", "target_kind", "created_at")
    search_fields = ("owner_email", "moderator_email", "persona_name", "filename", "target_description")
    date_hierarchy = "created_at"
    list_per_page = 100
    fields = (
        "created_at",
        "action",
        "target_kind",
        "target_id",
        "target_description",
        "owner_email",
        "owner",
        "persona_name",
        "filename",
        "moderator_email",
        "moderator",
        "reason",
    )
    readonly_fields = fields
    # "Delete selected" would be refused by the model anyway; it is not offered.
    actions = None

    # The record is the point: no one adds, edits or deletes an event by hand.
    has_add_permission = has_change_permission = has_delete_permission = never

    @admin.display(description="When", ordering="created_at")
    def at(self, event: ModerationEvent) -> str:
        return when(event.created_at)

    @admin.display(description="Target", ordering="target_description")
    def what(self, event: ModerationEvent) -> str:
        return breakable(Truncator(event.target_description).chars(70))

    @admin.display(description="Moderator", ordering="moderator_email")
    def moderator(self, event: ModerationEvent) -> str:
        return breakable(event.moderator_email)

    @admin.display(description="Reason", ordering="reason")
    def why(self, event: ModerationEvent) -> str:
        return Truncator(event.reason).chars(40)
