"""Admin actions that stop on an intermediate page (reason or confirmation) before calling a service."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from moderation.admin.forms import ConfirmForm, ReasonForm

APPLY = "apply"  # the field that says the intermediate page was submitted


def ask_then_apply(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    title: str,
    button: str,
    apply: Callable[[dict], int],
    done: str,
    form_class=ReasonForm,
    form_kwargs=None,
    describe=str,
    preview: Callable | None = None,
    warning: str = "",
):
    """Show the page first; once it is submitted (and valid), `apply(cleaned_data)` and report `done` with the count.

    The page lists what the decision applies to (with `preview` of each) and says what follows (`warning`).
    """
    form = form_class(request.POST if APPLY in request.POST else None, **(form_kwargs or {}))
    if form.is_bound and form.is_valid():
        total = queryset.count()
        count = apply(form.cleaned_data)
        skipped = total - count
        if count:
            modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)
        if skipped > 0:
            modeladmin.message_user(request, f"{skipped} skipped: gone, or already decided.", messages.WARNING)
        return None  # back to the list
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "button": button,
        "form": form,
        "action": action,
        "opts": modeladmin.model._meta,
        "items": [(obj.pk, describe(obj), preview(obj) if preview else "") for obj in queryset],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "apply": APPLY,
        "warning": warning,
        "is_confirmation": form_class is ConfirmForm,
    }
    return TemplateResponse(request, "admin/moderation/intermediate.html", context)


def never(self, request, obj=None) -> bool:
    """A ModelAdmin permission that nobody has (superusers included): has_add_permission = never."""
    return False
