"""GET and DELETE /api/v1/profile/me/avatar, and replacing an avatar: bodies, codes, rows and stored files."""

import pytest

from avatars.models import Avatar, AvatarVariant
from avatars.tests.support import SIZES, URL, name_from_url, post_avatar, stored_names
from testkit import images as I

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", SIZES)
def test_get_each_size(api, user, make_avatar, size):
    avatar = make_avatar(user)
    assert api.get(URL, {"size": size}).json() == {
        "avatar_url": avatar.urls[size],
        "size": size,
        "blurhash": avatar.blurhash,
        "moderation_status": "pending",
        "moderation_reason": "",
        "pending": None,
    }


def test_get_defaults_to_medium(api, user, make_avatar):
    avatar = make_avatar(user)
    response = api.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "avatar_url": avatar.urls["medium"],
        "size": "medium",
        "blurhash": avatar.blurhash,
        "moderation_status": "pending",
        "moderation_reason": "",
        "pending": None,
    }


@pytest.mark.parametrize("size", ["huge", "", "Medium", "medium "])
def test_get_unknown_size_is_400(api, user, make_avatar, size):
    make_avatar(user)
    response = api.get(URL, {"size": size})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "size must be one of: thumbnail, small, medium, large, full.",
        "code": "invalid_size",
    }


@pytest.mark.parametrize("method", ["get", "delete"])
def test_no_avatar_is_404(api, method):
    response = getattr(api, method)(URL)
    assert response.status_code == 404
    assert response.json()["code"] == "no_avatar"


def test_another_users_avatar_is_not_yours(api, make_user, make_avatar):
    make_avatar(make_user())
    assert api.get(URL).status_code == 404
    assert api.delete(URL).status_code == 404
    assert Avatar.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_delete_removes_rows_and_files(storage_backend, api, user, make_avatar):
    avatar = make_avatar(user)
    urls = avatar.urls
    assert len(stored_names()) == 5

    response = api.delete(URL)

    assert response.status_code == 200
    assert response.json() == {"message": "Avatar deleted successfully", "files_deleted": 5}
    assert not Avatar.objects.exists() and not AvatarVariant.objects.exists()
    assert stored_names() == set()
    user.refresh_from_db()
    assert user.avatar_url is None
    if storage_backend == "local":
        assert all(api.get(url).status_code == 404 for url in urls.values())
    assert api.delete(URL).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_replace_removes_the_old_files(storage_backend, api, user):
    old = post_avatar(api, I.photo_jpeg(600, 400)).json()
    new = post_avatar(api, I.png_rgba(300, 300)).json()

    assert new["avatar_url"] != old["avatar_url"]
    assert Avatar.objects.count() == 1 and AvatarVariant.objects.count() == 5
    assert stored_names() == {name_from_url(url) for url in new["variants"].values()}
    user.refresh_from_db()
    assert user.avatar_url == new["avatar_url"]
    if storage_backend == "local":
        assert all(api.get(url).status_code == 404 for url in old["variants"].values())
        assert all(api.get(url).status_code == 200 for url in new["variants"].values())
