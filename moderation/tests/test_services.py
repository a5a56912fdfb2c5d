"""Every rule of the moderation services: states, files, rows and audit events, in one transaction each."""

import pytest
from django.db import connection

from avatars.models import Avatar, AvatarVariant
from moderation import services
from moderation.models import Immutable, ModerationEvent
from persona_media.models import MediaFile
from testkit import storage

pytestmark = pytest.mark.django_db(transaction=True)


def avatar_files() -> set[str]:
    return storage.stored_names("avatars")


def media_files() -> set[str]:
    return storage.stored_names("persona_media")


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True)


def test_a_new_upload_is_live_and_pending_in_post_mode(user, make_avatar, make_media):
    avatar, media = make_avatar(user), make_media(user)
    assert (avatar.moderation_status, avatar.is_current, media.moderation_status) == ("pending", True, "pending")
    user.refresh_from_db()
    assert user.avatar_url == avatar.urls["medium"]


def test_approve_records_who_and_when_and_an_event(user, staff, make_avatar):
    avatar = make_avatar(user)
    assert services.approve(target=avatar, moderator=staff) is True
    avatar.refresh_from_db()
    assert (avatar.moderation_status, avatar.moderated_by, avatar.moderation_reason) == ("approved", staff, "")
    assert avatar.moderated_at is not None
    event = ModerationEvent.objects.get()
    assert (
        event.action,
        event.target_kind,
        event.target_id,
        event.owner,
        event.owner_email,
        event.moderator,
        event.moderator_email,
    ) == ("approve", "avatar", avatar.pk, user, user.email, staff, "staff@example.com")
    assert user.email in event.target_description and "600x400" in event.target_description
    assert services.approve(target=avatar, moderator=staff) is False  # already approved: no second event
    assert ModerationEvent.objects.count() == 1


def test_reject_requires_a_reason_and_changes_nothing_without_one(user, staff, make_avatar):
    avatar = make_avatar(user)
    for reason in ("", "   "):
        with pytest.raises(services.ReasonRequired):
            services.reject(target=avatar, moderator=staff, reason=reason)
    avatar.refresh_from_db()
    assert avatar.moderation_status == "pending" and len(avatar_files()) == 5
    assert not ModerationEvent.objects.exists()


def test_rejecting_the_current_avatar_deletes_its_files_and_keeps_the_reason(user, staff, make_avatar):
    avatar = make_avatar(user)
    assert services.reject(target=avatar, moderator=staff, reason="Spam or advertising") is True
    avatar.refresh_from_db()
    assert (avatar.moderation_status, avatar.moderation_reason) == ("rejected", "Spam or advertising")
    assert not AvatarVariant.objects.exists() and avatar_files() == set()
    user.refresh_from_db()
    assert user.avatar_url is None
    assert services.approve(target=avatar, moderator=staff) is False  # nothing left to approve
    event = ModerationEvent.objects.get()
    assert (event.action, event.reason) == ("reject", "Spam or advertising")


def test_an_approved_avatar_can_still_be_rejected(user, staff, make_avatar):
    avatar = make_avatar(user)
    services.approve(target=avatar, moderator=staff)
    assert services.reject(target=avatar, moderator=staff, reason="Violence") is True
    assert avatar_files() == set()
    assert list(ModerationEvent.objects.order_by("id").values_list("action", flat=True)) == ["approve", "reject"]


def test_rejecting_a_media_file_deletes_its_bytes_and_keeps_its_row(user, staff, make_media):
    kept, rejected = make_media(user, filename="keep.png"), make_media(user, filename="bad.png", width=80)
    assert services.reject(target=rejected, moderator=staff, reason="Hate symbols") is True
    rejected.refresh_from_db()
    assert (rejected.moderation_status, rejected.moderation_reason) == ("rejected", "Hate symbols")
    assert media_files() == set(kept.stored_names)
    event = ModerationEvent.objects.get()
    assert (event.target_kind, event.persona_name, event.filename) == ("media", "Ada", "bad.png")


def test_staff_removals_through_the_apps_are_recorded_and_the_event_outlives_the_target(
    user, staff, make_avatar, make_media
):
    """The apps' own services announce a staff removal (mediakit.review); moderation records it."""
    from avatars.services import avatar_remove
    from persona_media.services import media_delete

    avatar, media = make_avatar(user), make_media(user)
    assert avatar_remove(avatar=avatar, moderator=staff, reason="Impersonation") is True
    assert media_delete(media=media, moderator=staff) is True
    assert not Avatar.objects.exists() and not MediaFile.objects.exists()
    assert avatar_files() == set() and media_files() == set()
    assert sorted(ModerationEvent.objects.values_list("action", "target_kind", "target_id", "reason")) == [
        ("delete", "media", media.pk, ""),
        ("remove", "avatar", avatar.pk, "Impersonation"),
    ]
    assert avatar_remove(avatar=avatar, moderator=staff) is False  # already gone
    assert ModerationEvent.objects.count() == 2


def test_events_outlive_the_owner_and_the_moderator(user, staff, make_media):
    media = make_media(user)
    services.approve(target=media, moderator=staff)
    user.delete()
    staff.delete()
    event = ModerationEvent.objects.get()
    assert (event.owner, event.moderator) == (None, None)
    assert (event.owner_email, event.moderator_email) == (user.email, "staff@example.com")
    assert "picture.png" in event.target_description


def test_events_cannot_be_changed_or_deleted(user, staff):
    services.suspend_uploads(user=user, moderator=staff, reason="Repeated spam")
    event = ModerationEvent.objects.get()
    event.reason = "edited"
    with pytest.raises(Immutable):
        event.save()
    with pytest.raises(Immutable):
        event.delete()
    with pytest.raises(Immutable):
        ModerationEvent.objects.filter(pk=event.pk).update(reason="edited")
    with pytest.raises(Immutable):
        ModerationEvent.objects.all().delete()
    assert ModerationEvent.objects.get().reason == "Repeated spam"


def test_suspend_and_restore_toggle_the_flag_once_each(user, staff):
    assert services.suspend_uploads(user=user, moderator=staff, reason="Abuse") is True
    assert services.suspend_uploads(user=user, moderator=staff, reason="Abuse") is False
    assert services.is_suspended(user) is True
    assert services.restore_uploads(user=user, moderator=staff) is True
    assert services.is_suspended(user) is False
    assert services.restore_uploads(user=user, moderator=staff) is False
    assert list(ModerationEvent.objects.order_by("id").values_list("action", "target_kind", "target_id")) == [
        ("suspend", "user", user.pk),
        ("restore", "user", user.pk),
    ]


def test_a_failed_decision_leaves_no_event_and_no_change(user, staff, make_media, monkeypatch):
    media = make_media(user)

    def broken_save(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(MediaFile, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.reject(target=media, moderator=staff, reason="Spam")
    assert not ModerationEvent.objects.exists()
    assert media_files() == set(media.stored_names)  # the after-commit delete never ran
    assert MediaFile.objects.values_list("moderation_status", flat=True).get() == "pending"


def test_the_audit_table_has_no_cascading_keys():
    """The moderator and owner keys go NULL; nothing deletes an event with its user."""
    with connection.cursor() as cursor:
        description = connection.introspection.get_relations(cursor, ModerationEvent._meta.db_table)
    assert set(description) == {"moderator_id", "owner_id"}
    for name in ("moderator", "owner"):
        assert ModerationEvent._meta.get_field(name).remote_field.on_delete.__name__ == "SET_NULL"
