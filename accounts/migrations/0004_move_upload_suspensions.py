from django.db import migrations

REASON = "Suspended before suspensions moved to the moderation app."


def to_moderation(apps, schema_editor) -> None:
    """Every user whose uploads were suspended gets an UploadSuspension row, with the reason of the last
    suspension event when the audit trail has one."""
    User = apps.get_model("accounts", "User")
    UploadSuspension = apps.get_model("moderation", "UploadSuspension")
    ModerationEvent = apps.get_model("moderation", "ModerationEvent")
    for user in User.objects.filter(uploads_suspended=True).iterator():
        last = (
            ModerationEvent.objects.filter(target_kind="user", target_id=user.pk, action="suspend")
            .order_by("-created_at", "-id")
            .first()
        )
        UploadSuspension.objects.get_or_create(
            user=user,
            defaults={
                "reason": (last.reason if last else "") or REASON,
                "moderator_id": last.moderator_id if last else None,
            },
        )


def to_accounts(apps, schema_editor) -> None:
    User = apps.get_model("accounts", "User")
    UploadSuspension = apps.get_model("moderation", "UploadSuspension")
    User.objects.filter(pk__in=UploadSuspension.objects.values("user_id")).update(uploads_suspended=True)


class Migration(migrations.Migration):
    """The uploads_suspended flag leaves the user row for moderation's own table (any user model)."""

    dependencies = [
        ("accounts", "0003_user_uploads_suspended"),
        ("moderation", "0003_uploadsuspension"),
    ]

    operations = [
        migrations.RunPython(to_moderation, to_accounts),
        migrations.RemoveField(model_name="user", name="uploads_suspended"),
    ]
