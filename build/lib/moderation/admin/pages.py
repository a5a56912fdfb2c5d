"""Admin actions that stop on an intermediate page (reason or confirmation) before calling a service."""
from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from moderation.admin.forms import ConfirmForm, ReasonForm

APPLY = "apply"  # the field that says the intermediate page was submitted


def ask_then_apply(modeladmin, request, queryset, *, action: str, title: str, button: str,
                   apply: Callable[[str], int], done: str, form_class=ReasonForm, describe=str):
    """Show the page first; once it is submitted (and valid), `apply(reason)` and report `done` with the count."""
    form = form_class(request.POST if APPLY in request.POST else None)
    if form.is_bound and form.is_valid():
        total = queryset.count()
        count = apply(form.cleaned_data["reason"])
        skipped = total - count
        modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)
        if skipped > 0:
            modeladmin.message_user(request, f"{skipped} were skipped (gone, or already decided).", messages.WARNING)
        return None  # back to the list
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title, "button": button, "form": form, "action": action, "opts": modeladmin.model._meta,
        "items": [(obj.pk, describe(obj)) for obj in queryset],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, "apply": APPLY,
        "is_confirmation": form_class is ConfirmForm,
    }
    return TemplateResponse(request, "admin/moderation/intermediate.html", context)


def ask_then_decide(modeladmin, request, queryset, decision: Callable, **page):
    """ask_then_apply for a moderation service: `decision` applied to every row, by this moderator, with the reason."""
    from moderation.services import apply_to_all

    return ask_then_apply(modeladmin, request, queryset, **page, apply=lambda reason: apply_to_all(
        decision, queryset, moderator=request.user, reason=reason))


def never(self, request, obj=None) -> bool:
    """A ModelAdmin permission that nobody has (superusers included): has_add_permission = never."""
    return False

