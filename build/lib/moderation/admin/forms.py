"""The forms of the intermediate admin pages: a reason (presets plus free text), a confirmation."""
from django import forms

from moderation.conf import PRESET_REASONS

REASON_MAX = 500


class ReasonForm(forms.Form):
    """A reason is required: a preset, free text, or both."""

    preset = forms.ChoiceField(label="Reason", required=False, widget=forms.RadioSelect,
                               choices=[(r, r) for r in PRESET_REASONS])
    details = forms.CharField(label="In your own words", required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                              help_text="Shown to the owner. Required when no preset fits.")
    required = True

    def clean(self):
        data = super().clean()
        parts = [part.strip() for part in (data.get("preset", ""), data.get("details", "")) if part and part.strip()]
        if self.required and not parts:
            raise forms.ValidationError("Choose a reason or write one.", code="reason_required")
        data["reason"] = ": ".join(parts)[:REASON_MAX]
        return data


class ConfirmForm(ReasonForm):
    """A confirmation, with an optional reason for the audit log."""

    required = False
