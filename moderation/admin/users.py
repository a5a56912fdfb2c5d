"""Moderation on the users' pages: suspend and restore uploads; links to what each user uploaded."""
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import UserAdmin
from accounts.models import User
from avatars.models import Avatar
from moderation import services
from moderation.admin.pages import ask_then_apply
from moderation.previews import avatar_preview, media_preview, size_text
from persona_media import conf as media_conf
from persona_media.models import MediaFile
from persona_media.services import quota_used_bytes

THUMB = 64
MEDIA_SHOWN = 24  # thumbnails on a user's page; the queue link lists them all


def _link(url: str, content) -> str:
    return format_html('<a href="{}">{}</a>', url, content)


admin.site.unregister(User)


@admin.register(User)
class ModeratedUserAdmin(UserAdmin):
    list_display = (*UserAdmin.list_display, "suspended")
    list_filter = (*UserAdmin.list_filter, "uploads_suspended")
    readonly_fields = (*UserAdmin.readonly_fields, "uploads_suspended", "media_quota", "uploads")
    actions = ["suspend_uploads", "restore_uploads"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, ("Moderation", {"fields": ("uploads_suspended", "media_quota", "uploads")}))

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    @admin.action(description="Suspend uploads (asks for a reason)…", permissions=["moderate"])
    def suspend_uploads(self, request, queryset):
        return ask_then_apply(
            self, request, queryset, action="suspend_uploads", title="Suspend uploads: why?", button="Suspend uploads",
            apply=lambda reason: sum(services.suspend_uploads(user=u, moderator=request.user, reason=reason)
                                     for u in queryset),
            done="Suspended the uploads of {count} user(s).", describe=lambda u: u.email)

    @admin.action(description="Restore uploads", permissions=["moderate"])
    def restore_uploads(self, request, queryset) -> None:
        count = sum(services.restore_uploads(user=u, moderator=request.user) for u in queryset)
        self.message_user(request, f"Restored the uploads of {count} user(s).", messages.SUCCESS)

    @admin.display(description="Suspended", boolean=True, ordering="uploads_suspended")
    def suspended(self, user: User) -> bool:
        """Uploads suspended (a short header keeps the table within 1280 px)."""
        return user.uploads_suspended

    @admin.display(description="Media quota")
    def media_quota(self, user: User) -> str:
        """What the user's media take of PERSONA_MEDIA_QUOTA_BYTES, as /upload/stats reports it."""
        used, quota = quota_used_bytes(user=user), media_conf.quota_bytes()
        return f"{size_text(used)} of {size_text(quota)} used ({used / quota:.0%})" if quota else size_text(used)

    @admin.display(description="Uploads")
    def uploads(self, user: User) -> str:
        """The user's avatars, personas and media files, each a link with a thumbnail."""
        avatars = Avatar.objects.filter(user=user).prefetch_related("variants")
        avatar_html = format_html_join(" ", "{}", (
            (_link(reverse("admin:moderation_avatarreview_change", args=[a.pk]),
                   format_html("{} {}", avatar_preview(a, THUMB), a.get_moderation_status_display())),)
            for a in avatars)) or "no avatar"
        personas = user.personas.order_by("name")
        persona_html = format_html_join(", ", "{}", (
            (_link(reverse("admin:persona_media_persona_change", args=[p.pk]), p.name),) for p in personas)) or "none"
        media = MediaFile.objects.filter(user=user).select_related("persona").order_by("-created_at")[:MEDIA_SHOWN]
        media_html = format_html_join(" ", "{}", (
            (_link(reverse("admin:moderation_mediareview_change", args=[m.pk]),
                   format_html('<span title="{} — {}, {}">{}</span>', m.original_filename, m.persona.name,
                               size_text(m.size_bytes), media_preview(m, THUMB))),)
            for m in media)) or "none"
        all_media = reverse("admin:moderation_mediareview_changelist") + "?" + urlencode({"q": user.email})
        return format_html("<p><strong>Avatar:</strong> {}</p><p><strong>Personas:</strong> {}</p>"
                           '<p><strong>Media files:</strong> {} <a href="{}">all of them in the media queue</a></p>',
                           avatar_html, persona_html, media_html, all_media)
