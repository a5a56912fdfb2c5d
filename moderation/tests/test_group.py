"""After `migrate` a Moderators group exists with exactly the permissions moderation needs."""

import pytest
from django.contrib.auth.models import Group

from moderation.conf import GROUP_NAME

pytestmark = pytest.mark.django_db


def test_the_migration_made_the_group_with_view_and_moderate_only():
    group = Group.objects.get(name=GROUP_NAME)
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert codenames == {
        ("moderation", "moderate"),
        ("moderation", "view_moderationevent"),
        ("moderation", "view_uploadsuspension"),
        ("moderation", "view_report"),
        ("moderation", "view_blockedcontent"),
        ("avatars", "view_avatar"),
        ("avatars", "view_avatarvariant"),
        ("persona_media", "view_mediafile"),
        ("persona_media", "view_persona"),
        ("accounts", "view_user"),
    }
    assert not [c for _, c in codenames if c.startswith(("delete_", "change_", "add_"))]


def test_a_member_has_the_moderate_permission_and_no_delete(mod_user):
    assert mod_user.has_perm("moderation.moderate")
    assert not mod_user.has_perm("avatars.delete_avatar")
    assert not mod_user.has_perm("persona_media.delete_mediafile")
    assert not mod_user.has_perm("moderation.delete_moderationevent")
