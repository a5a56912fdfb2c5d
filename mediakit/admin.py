import re

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from mediakit.deletions import retry_pending
from mediakit.models import PendingDeletion


@admin.register(PendingDeletion)
class PendingDeletionAdmin(admin.ModelAdmin):
    list_display = ["name", "storage_alias", "attempts", "last_attempt_at", "last_error"]
    list_filter = ["storage_alias"]
    search_fields = ["name"]
    readonly_fields = ["storage_alias", "name", "attempts", "last_error", "created_at", "last_attempt_at"]
    actions = ["retry"]

    # Records are written only when storage refuses a delete, and leave only once it succeeds:
    # adding or removing one by hand would lose a file or invent one.
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Retry the selected deletions now")
    def retry(self, request, queryset) -> None:
        report = retry_pending(records=queryset)
        messages.info(request, f"{len(report.removed)} files removed, {len(report.refused)} still refused.")


def when(moment) -> str:
    """A compact local date and time on two lines, for the narrow tables of the apps' admins (never broken)."""
    local = timezone.localtime(moment)
    return format_html('<span class="nowrap">{}</span><br>{}', local.strftime("%Y-%m-%d"), local.strftime("%H:%M"))


# Where a long token (an e-mail address, a file name) may wrap: after its separators.
_SEPARATORS = re.compile(r"([@._\-/])")


def breakable(text: str, min_width: str = "") -> str:
    """Text with long tokens (e-mail addresses, file names) for a narrow column: it wraps after its separators
    (`@ . - _ /`: "singer@|example.com", "holiday-|photo"), and only where no separator fits on the line at an
    arbitrary point, so the table always fits the window; `min_width` (a CSS length) keeps the column from
    being squeezed below it."""
    pieces = _SEPARATORS.split(str(text))
    wbr = mark_safe("<wbr>")
    wrapped = format_html_join("", "{}{}", ((piece, wbr if _SEPARATORS.fullmatch(piece) else "") for piece in pieces))
    if min_width:
        return format_html(
            '<span style="overflow-wrap:anywhere;display:inline-block;min-width:{}">{}</span>', min_width, wrapped
        )
    return format_html('<span style="overflow-wrap:anywhere">{}</span>', wrapped)
