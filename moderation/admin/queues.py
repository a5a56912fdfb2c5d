"""The review queues: each reviewable model's own admin, made a work list (pending first) with Approve and Reject."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import F
from django.utils.html import format_html
from django.utils.text import Truncator

from mediakit import review
from mediakit.review import Status
from moderation import services
from moderation.admin.forms import ReasonForm
from moderation.admin.pages import ask_then_apply

ALL = "all"
# What each state of the list filter offers: approving needs the files a rejection removed.
ACTIONS_BY_STATUS = {
    Status.PENDING: ("approve", "reject"),
    Status.APPROVED: ("reject",),
    Status.REJECTED: (),
    ALL: ("approve", "reject"),
}
STATUS_LABELS = {
    Status.PENDING: "Waiting for review",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
    ALL: "All",
}


class StatusFilter(admin.SimpleListFilter):
    """The review state, opening on what waits: "All" is a choice of its own, not the absence of one."""

    title = "review"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def value(self):
        value = super().value()
        return value if value in STATUS_LABELS else Status.PENDING

    def queryset(self, request, queryset):
        return queryset if self.value() == ALL else queryset.filter(moderation_status=self.value())

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "display": label,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
            }


def selects_across(request) -> bool:
    return request.POST.get("select_across") == "1"


def shown_status(request) -> str:
    value = request.GET.get(StatusFilter.parameter_name)
    return value if value in STATUS_LABELS else Status.PENDING


if TYPE_CHECKING:  # the mixin is only ever mixed into a ModelAdmin (see extend())
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class ReviewQueueMixin(_ModelAdmin):
    """Mixed into the ModelAdmin an app registered for its reviewable model (see `moderate_site`).

    The list opens on what waits, oldest first; decided items are one filter away. Decisions are the
    actions, which need `moderation.moderate` (not delete), offered only where they apply; the review page
    shows the item large (a video plays) with the same decisions as buttons.
    """

    change_form_template = "admin/moderation/review_form.html"
    extra_actions = ("approve", "reject")

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    @property
    def reviewable(self) -> review.Reviewable:
        return review.reviewable_for(self.model)

    def get_ordering(self, request):
        if shown_status(request) == Status.PENDING:
            return ["created_at", "id"]  # the oldest wait longest
        return [F("moderated_at").desc(nulls_last=True), "-created_at", "-id"]

    def get_list_display(self, request):
        return [*(c for c in super().get_list_display(request) if c != "moderation_status"), "review_status"]

    def get_fields(self, request, obj=None):
        # The review page shows the item at its top (review_html): an app's own large preview would repeat it.
        return [f for f in super().get_fields(request, obj) if getattr(f, "__name__", f) != "large_preview"]

    def get_list_filter(self, request):
        return [StatusFilter, *(f for f in super().get_list_filter(request) if f != "moderation_status")]

    def get_actions(self, request):
        actions = super().get_actions(request)
        offered = ACTIONS_BY_STATUS[shown_status(request)]
        return {name: action for name, action in actions.items() if name not in self.extra_actions or name in offered}

    def response_action(self, request, queryset):
        # The ticked rows, whatever the list's filter shows now (a review page posts without one): the services
        # skip what is already decided. "Select all" means all of what the list shows, as Django has it.
        return super().response_action(request, queryset if selects_across(request) else self.get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        status = shown_status(request)
        plural = str(self.model._meta.verbose_name_plural)
        title = (
            f"{plural.capitalize()} waiting for review"
            if status == Status.PENDING
            else (f"{STATUS_LABELS[status]} {plural}" if status != ALL else f"All {plural}")
        )
        count = self.model._default_manager.filter(moderation_status=Status.PENDING).count()
        extra_context = {"title": f"{title} ({count})" if status == Status.PENDING else title, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        extra_context = {**(extra_context or {}), "can_moderate": self.has_moderate_permission(request)}
        if obj is not None:
            extra_context.update(
                review_html=self.reviewable.review_html(obj),
                offered=ACTIONS_BY_STATUS[obj.moderation_status],
                title=f"Review {self.reviewable.describe(obj)['target_description']}",
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(description="Approve selected", permissions=["moderate"])
    def approve(self, request, queryset) -> None:
        count = services.apply_to_all(services.approve, queryset, moderator=request.user)
        if count:
            self.message_user(request, f"Approved {count}.", messages.SUCCESS)
        else:
            self.message_user(
                request, "Nothing was approved: the selected items were gone or already decided.", messages.WARNING
            )

    @admin.action(description="Reject selected (asks for a reason)…", permissions=["moderate"])
    def reject(self, request, queryset):
        reviewable = self.reviewable
        return ask_then_apply(
            self,
            request,
            queryset,
            action="reject",
            title=f"Reject {_count(queryset, reviewable)}: why?",
            button="Reject",
            form_class=ReasonForm,
            form_kwargs={"kind": reviewable.kind, "offer_block": True},
            warning="Their files are deleted at once; the owner sees the reason.",
            apply=lambda data: services.apply_to_all(
                services.reject, queryset, moderator=request.user, reason=data["reason"], block=data.get("block", False)
            ),
            done="Rejected {count}; their files are being deleted.",
            describe=lambda obj: reviewable.describe(obj)["target_description"],
            preview=lambda obj: reviewable.preview_html(obj, 160),
        )

    @admin.display(description="Status", ordering="moderation_status")
    def review_status(self, obj) -> str:
        """The state, with the reason (shortened) under a rejection: one narrow column, never broken mid-word."""
        label = STATUS_LABELS[obj.moderation_status] if obj.moderation_status != Status.PENDING else "Waiting"
        if not obj.moderation_reason:
            return format_html('<span class="nowrap">{}</span>', label)
        return format_html(
            '<span class="nowrap">{}</span><br><small>{}</small>', label, Truncator(obj.moderation_reason).chars(40)
        )


def _count(queryset, reviewable: review.Reviewable) -> str:
    count = queryset.count()
    return f"this {reviewable.noun}" if count == 1 else f"these {count} {reviewable.noun}s"


def extend(site: admin.AdminSite, model, mixin: type) -> bool:
    """Replace the ModelAdmin registered for `model` by one that also inherits `mixin`; False if none is."""
    model_admin = site._registry.get(model)
    if model_admin is None or isinstance(model_admin, mixin):
        return False
    base = type(model_admin)
    actions = [*(base.actions or ()), *getattr(mixin, "extra_actions", ())]
    extended = type(base.__name__, (mixin, base), {"__module__": base.__module__, "actions": actions})
    site.unregister(model)
    site.register(model, extended)
    return True
