"""Critvue's production database, as the second wave's migrations left it, migrates forward losing nothing.

The database is taken back to the second wave's last migrations, filled with rows those migrations
made possible (a suspended user with the flag on their row, avatars, media, audit events, the old
review-queue content types), then migrated to today's.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

SECOND_WAVE = [
    ("accounts", "0003_user_uploads_suspended"),
    ("avatars", "0004_moderation_state"),
    ("persona_media", "0004_moderation_state"),
    ("moderation", "0002_moderators_group"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_second_wave_rows_survive_and_suspensions_move():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(SECOND_WAVE)
    try:
        User = old.get_model("accounts", "User")
        spammer = User.objects.create(email="spammer@example.com", uploads_suspended=True)
        User.objects.create(email="quiet@example.com", uploads_suspended=True)  # with no suspension event
        fine = User.objects.create(email="fine@example.com")
        mod = User.objects.create(email="mod@example.com", is_staff=True)
        Event = old.get_model("moderation", "ModerationEvent")
        Event.objects.create(
            moderator=mod,
            moderator_email=mod.email,
            action="suspend",
            target_kind="user",
            target_id=spammer.pk,
            target_description="Uploads of spammer",
            owner=spammer,
            owner_email=spammer.email,
            reason="Daily spam",
        )
        Avatar = old.get_model("avatars", "Avatar")
        avatar = Avatar.objects.create(
            user=fine,
            original_bytes=10,
            original_width=200,
            original_height=200,
            original_format="JPEG",
            moderation_status="approved",
        )
        old.get_model("avatars", "AvatarVariant").objects.create(
            avatar=avatar,
            label="medium",
            stored_name="medium/a.jpg",
            width=256,
            height=256,
            size_bytes=5,
            content_type="image/jpeg",
        )
        persona = old.get_model("persona_media", "Persona").objects.create(user=fine, name="P")
        old.get_model("persona_media", "MediaFile").objects.create(
            user=fine,
            persona=persona,
            filename="x.png",
            stored_name="1/1/x.png",
            original_filename="x.png",
            size_bytes=3,
            mime_type="image/png",
            media_type="image",
            sha256="0" * 64,
            moderation_status="rejected",
            moderation_reason="Spam",
        )
        ContentType = old.get_model("contenttypes", "ContentType")
        for model in ("avatarreview", "mediareview"):
            ContentType.objects.get_or_create(app_label="moderation", model=model)
    finally:
        new = migrate(latest)

    Suspension = new.get_model("moderation", "UploadSuspension")
    assert sorted(Suspension.objects.values_list("user__email", "reason")) == [
        ("quiet@example.com", "Suspended before suspensions moved to the moderation app."),
        ("spammer@example.com", "Daily spam"),
    ]
    assert Suspension.objects.get(user__email="spammer@example.com").moderator.email == "mod@example.com"
    assert "uploads_suspended" not in {f.name for f in new.get_model("accounts", "User")._meta.get_fields()}
    assert new.get_model("avatars", "Avatar").objects.get().variants.get().stored_name == "medium/a.jpg"
    media = new.get_model("persona_media", "MediaFile").objects.get()
    assert (media.moderation_status, media.moderation_reason) == ("rejected", "Spam")
    assert new.get_model("moderation", "ModerationEvent").objects.get().reason == "Daily spam"
    assert (
        not new.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="moderation", model__in=("avatarreview", "mediareview"))
        .exists()
    )

    # The way back works too: the flags return to the user rows.
    back = migrate(SECOND_WAVE)
    try:
        assert sorted(
            back.get_model("accounts", "User").objects.filter(uploads_suspended=True).values_list("email", flat=True)
        ) == ["quiet@example.com", "spammer@example.com"]
    finally:
        migrate(latest)
