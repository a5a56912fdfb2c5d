"""Shapes of the reports endpoint."""

from rest_framework import serializers

from moderation.models import Report

REASON_MAX = 1000


class ReportSerializer(serializers.Serializer):
    """`{kind, user_id, reason}` in; `{id, kind, user_id, reason, status, created_at}` out."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=["avatar"], help_text="What is reported: avatar.")
    user_id = serializers.IntegerField(
        source="target_user_id", min_value=1, help_text="The user whose avatar is reported."
    )
    reason = serializers.CharField(
        min_length=1, max_length=REASON_MAX, help_text="Why, in the reporter's words (1-1000 characters)."
    )
    status = serializers.ChoiceField(choices=Report.Status.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
