"""The forms of the intermediate admin pages: a reason (presets for the kind decided on, plus free text)."""

from django import forms

from moderation.conf import PRESET_REASONS

REASON_MAX = 500


class ReasonForm(forms.Form):
    """A reason is required: a preset, free text, or both. Rejecting may also block the content."""

    preset = forms.ChoiceField(label="Reason", required=False, widget=forms.RadioSelect)
    details = forms.CharField(
        label="In your own words",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to the owner. Required when no preset fits.",
    )
    required = True

    def __init__(self, *args, kind: str = "", offer_block: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        presets = PRESET_REASONS.get(kind, ())
        if presets:
            self.fields["preset"].choices = [(r, r) for r in presets]  # type: ignore[attr-defined]
        else:
            del self.fields["preset"]
        if offer_block:
            self.fields["block"] = forms.BooleanField(
                label="Block it from coming back",
                required=False,
                initial=True,
                help_text="Later uploads of the same picture by anyone (even re-encoded, resized or converted), "
                "or of a video's exact bytes, are refused. Lift it under Blocked content.",
            )

    def clean(self):
        data = super().clean() or {}
        parts = [part.strip() for part in (data.get("preset", ""), data.get("details", "")) if part and part.strip()]
        if self.required and not parts:
            raise forms.ValidationError("Choose a reason or write one.", code="reason_required")
        data["reason"] = ": ".join(parts)[:REASON_MAX]
        return data


class ConfirmForm(ReasonForm):
    """A confirmation, with an optional reason for the audit log."""

    required = False
