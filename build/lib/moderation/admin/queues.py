"""The review queues: each reviewable model's own admin, given Approve and Reject, pending first."""
from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.utils.html import format_html
from django.utils.text import Truncator

from mediakit import review
from mediakit.review import Status
from moderation import services
from moderation.admin.pages import ask_then_decide

PENDING_FIRST = Case(When(moderation_status=Status.PENDING, then=Value(0)), default=Value(1)).asc()


class ReviewQueueMixin:
    """Mixed into the ModelAdmin an app registered for its reviewable model (see `moderate_site`).

    Decisions are the actions, which need `moderation.moderate` (not delete); the details page has
    Approve and Reject buttons that run the same actions on its one row.
    """

    change_form_template = "admin/moderation/review_form.html"
    extra_actions = ("approve", "reject")

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("moderation.moderate")

    def get_ordering(self, request):
        return [PENDING_FIRST, "created_at", "id"]

    def get_list_display(self, request):
        return [*(c for c in super().get_list_display(request) if c != "moderation_status"), "review_status"]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return filters if "moderation_status" in filters else ["moderation_status", *filters]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_moderate": self.has_moderate_permission(request)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(description="Approve selected", permissions=["moderate"])
    def approve(self, request, queryset) -> None:
        count = services.apply_to_all(services.approve, queryset, moderator=request.user)
        self.message_user(request, f"Approved {count}.", messages.SUCCESS)

    @admin.action(description="Reject selected (asks for a reason)…", permissions=["moderate"])
    def reject(self, request, queryset):
        return ask_then_decide(
            self, request, queryset, services.reject, action="reject", title="Reject: why?", button="Reject",
            done="Rejected {count}; their files are being removed.",
            describe=lambda obj: review.reviewable_for(obj).describe(obj)["target_description"])

    @admin.display(description="Status", ordering="moderation_status")
    def review_status(self, obj) -> str:
        """The state, with the reason (shortened) under a rejection: one narrow column."""
        if not obj.moderation_reason:
            return obj.get_moderation_status_display()
        return format_html("{}<br><small>{}</small>", obj.get_moderation_status_display(),
                           Truncator(obj.moderation_reason).chars(40))


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
