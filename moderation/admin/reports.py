"""The reports queue: one row per reported item (its preview, how many reported it, why), resolved by rejecting
the item or dismissing its reports; both are audit events."""

from django.contrib import admin
from django.db.models import Count, F, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from mediakit import review, users
from mediakit.admin import breakable, when
from moderation import services
from moderation.admin.forms import ConfirmForm, ReasonForm
from moderation.admin.pages import ask_then_apply, never
from moderation.admin.queues import selects_across
from moderation.models import Report

OPEN = Report.Status.OPEN
TITLES = {
    OPEN: "Reported, waiting for a decision",
    Report.Status.REJECTED: "Reports resolved by rejecting",
    Report.Status.DISMISSED: "Reports dismissed",
}


class ReportStatusFilter(admin.SimpleListFilter):
    """Opens on the open reports; resolved ones are one click away."""

    title = "state"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(Report.Status.choices)

    def value(self):
        value = super().value()
        return value if value in Report.Status.values else OPEN

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value())

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "display": label,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
            }


def target_of(report: Report):
    """The reported item, or None once it is gone (replaced or deleted)."""
    reviewable = review.reviewable_of(report.kind)
    if reviewable is None:
        return None
    cached = report.__dict__
    if "_target" not in cached:  # looked up once per row of the list
        cached["_target"] = reviewable.model._default_manager.filter(pk=report.target_id).first()
    return cached["_target"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("preview", "whose", "reporters", "reasons", "first_reported")
    list_display_links = ("preview", "whose")
    list_filter = (ReportStatusFilter,)
    list_select_related = ("target_user",)
    search_fields = users.search_fields("target_user__")
    list_per_page = 50
    actions = ["reject_items", "dismiss"]
    change_form_template = "admin/moderation/report_form.html"
    # Reports come from users through the API; moderators resolve them, nobody edits or deletes one.
    has_add_permission = has_change_permission = has_delete_permission = never

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    def get_queryset(self, request):
        """Open reports: one row per reported item (its first report), with how many reported it."""
        queryset = self.model._default_manager.select_related("target_user")
        if request.GET.get("status", OPEN) != OPEN:
            return queryset.order_by(*self.get_ordering(request))
        same_item = Report.objects.filter(status=OPEN, kind=OuterRef("kind"), target_id=OuterRef("target_id"))
        first = same_item.values("kind").annotate(first=Min("id")).values("first")
        count = same_item.values("kind").annotate(n=Count("id")).values("n")
        return (
            queryset.annotate(first=Subquery(first), open_count=Coalesce(Subquery(count), 0))
            .filter(id=F("first"))
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["-open_count", "created_at"] if request.GET.get("status", OPEN) == OPEN else ["-resolved_at"]

    def changelist_view(self, request, extra_context=None):
        title = TITLES.get(request.GET.get("status", OPEN), TITLES[OPEN])
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def response_action(self, request, queryset):
        # The ticked rows whatever the list shows now (a report's page posts without a filter); "Select all":
        # what the list shows.
        return super().response_action(request, queryset if selects_across(request) else Report.objects.all())

    @admin.display(description="Reported")
    def preview(self, report: Report) -> str:
        target = target_of(report)
        if target is None:
            return format_html("<em>{} #{} is gone</em>", report.kind, report.target_id)
        reviewable = review.reviewable_for(target)
        return reviewable.preview_html(target, 96)

    @admin.display(description="Whose", ordering="target_user")
    def whose(self, report: Report) -> str:
        return breakable(users.identity(report.target_user))

    @admin.display(description="Reports", ordering="open_count")
    def reporters(self, report: Report) -> int:
        return getattr(report, "open_count", None) or 1

    @admin.display(description="Reasons")
    def reasons(self, report: Report) -> str:
        if report.status != OPEN:
            return Truncator(report.reason).chars(80)
        reasons = Report.objects.filter(status=OPEN, kind=report.kind, target_id=report.target_id).values_list(
            "reason", flat=True
        )[:5]
        return format_html_join("", "<div>“{}”</div>", ((Truncator(r).chars(80),) for r in reasons))

    @admin.display(description="First reported", ordering="created_at")
    def first_reported(self, report: Report) -> str:
        return when(report.created_at)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if report is not None:
            target = target_of(report)
            reviewable = review.reviewable_of(report.kind)
            context.update(
                can_moderate=self.has_moderate_permission(request),
                is_open=report.status == OPEN,
                review_html=reviewable.review_html(target) if target is not None and reviewable else "",
                same_item=Report.objects.filter(kind=report.kind, target_id=report.target_id)
                .select_related("reporter")
                .order_by("created_at"),
                title=f"Reports of {report.kind} #{report.target_id} of {users.identity(report.target_user)}",
            )
        return super().changeform_view(request, object_id, form_url, context)

    @admin.action(description="Reject the reported items (asks for a reason)…", permissions=["moderate"])
    def reject_items(self, request, queryset):
        items = {(r.kind, r.target_id): r for r in queryset}
        targets = [(r, target_of(r)) for r in items.values()]
        return ask_then_apply(
            self,
            request,
            queryset,
            action="reject_items",
            title="Reject what was reported: why?",
            button="Reject",
            form_class=ReasonForm,
            form_kwargs={"kind": next(iter(items))[0] if items else "", "offer_block": True},
            warning="The reported items' files are deleted at once, the owners see the reason, and their reports "
            "are resolved.",
            apply=lambda data: sum(
                services.reject(target=t, moderator=request.user, reason=data["reason"], block=data.get("block", False))
                for _, t in targets
                if t is not None
            ),
            done="Rejected {count}; their reports are resolved.",
            describe=_describe,
            preview=lambda r: self.preview(r),
        )

    @admin.action(description="Dismiss the reports (keeps the items)…", permissions=["moderate"])
    def dismiss(self, request, queryset):
        items = {(r.kind, r.target_id) for r in queryset}
        return ask_then_apply(
            self,
            request,
            queryset,
            action="dismiss",
            title="Dismiss these reports?",
            button="Dismiss",
            form_class=ConfirmForm,
            warning="The reported items stay as they are; every open report on them is closed.",
            apply=lambda data: sum(
                bool(services.dismiss_reports(kind=k, target_id=t, moderator=request.user, reason=data["reason"]))
                for k, t in items
            ),
            done="Dismissed the reports on {count} item(s).",
            describe=_describe,
            preview=lambda r: self.preview(r),
        )


def _describe(report: Report) -> str:
    return f"{report.kind.capitalize()} #{report.target_id} of {users.identity(report.target_user)}"
