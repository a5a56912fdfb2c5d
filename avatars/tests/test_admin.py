"""Moderators see avatars with previews and remove them through the same service as the API."""

import pytest

from avatars.models import Avatar, AvatarVariant
from avatars.tests.support import stored_names

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/avatars/avatar/"


def test_changelist_lists_avatars_with_a_thumbnail(moderator, make_user, make_avatar):
    avatars = [make_avatar(make_user(email=f"owner{i}@example.com")) for i in range(3)]
    response = moderator.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    for avatar in avatars:  # through the staff-only route (the smallest variant sharp at twice 64 px)
        assert f'<img src="/admin/avatars/avatar/{avatar.pk}/image/small/" width="64" height="64"' in html
        assert avatar.user.email in html
    assert "600x400" in html and "JPEG" in html


def test_changelist_search_by_email(moderator, make_user, make_avatar):
    make_avatar(make_user(email="alice@example.com"))
    make_avatar(make_user(email="bob@example.com"))
    html = moderator.get(CHANGELIST, {"q": "alice"}).content.decode()
    assert "alice@example.com" in html and "bob@example.com" not in html


def test_change_page_shows_the_variants_read_only(moderator, user, make_avatar):
    avatar = make_avatar(user)
    response = moderator.get(f"{CHANGELIST}{avatar.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    for variant in avatar.variants.all():
        assert variant.stored_name in html and f'src="/admin/avatars/avatar/{avatar.pk}/image/{variant.label}/"' in html
    assert 'name="variants-0-size"' not in html  # nothing to edit


def test_avatars_cannot_be_added_by_hand(moderator):
    assert moderator.get(f"{CHANGELIST}add/").status_code == 403


def test_delete_selected_asks_then_goes_through_the_service(
    moderator, make_user, make_avatar, django_capture_on_commit_callbacks
):
    keep, remove = make_user(email="keep@example.com"), make_user(email="remove@example.com")
    kept = make_avatar(keep)
    removed = make_avatar(remove)
    asked = moderator.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [removed.pk]})
    assert asked.status_code == 200 and "Delete multiple objects" in asked.content.decode()  # a confirmation first
    assert Avatar.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(
            CHANGELIST, {"action": "delete_selected", "_selected_action": [removed.pk], "post": "yes"}
        )
    assert response.status_code == 302
    assert list(Avatar.objects.all()) == [kept]
    assert stored_names() == {v.stored_name for v in kept.variants.all()}
    remove.refresh_from_db()
    keep.refresh_from_db()
    assert remove.avatar_url is None and keep.avatar_url == kept.urls["medium"]


def test_delete_page_goes_through_the_service(moderator, user, make_avatar, django_capture_on_commit_callbacks):
    avatar = make_avatar(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(f"{CHANGELIST}{avatar.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Avatar.objects.exists() and stored_names() == set()
    user.refresh_from_db()
    assert user.avatar_url is None


def test_deleting_the_user_in_the_admin_removes_the_avatar_files(
    moderator, user, make_avatar, django_capture_on_commit_callbacks
):
    make_avatar(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AvatarVariant.objects.exists() and stored_names() == set()
