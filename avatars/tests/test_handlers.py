"""However variant rows are deleted, their files go after commit, and only then."""

import logging

import pytest
from django.core.files.storage import storages
from django.db import transaction

from avatars.models import Avatar, AvatarVariant
from avatars.tests.support import stored_names

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def avatar(user, make_avatar):
    return make_avatar(user)


@pytest.mark.parametrize(
    "delete",
    [
        pytest.param(lambda avatar: avatar.delete(), id="avatar"),
        pytest.param(lambda avatar: Avatar.objects.filter(pk=avatar.pk).delete(), id="avatar-queryset"),
        pytest.param(lambda avatar: avatar.user.delete(), id="user-cascade"),
        pytest.param(lambda avatar: avatar.variants.all().delete(), id="variants-queryset"),
    ],
)
def test_deleting_rows_removes_their_files(storage_backend, avatar, delete):
    assert len(stored_names()) == 5
    delete(avatar)
    assert stored_names() == set()
    assert not AvatarVariant.objects.exists()


def test_deleting_one_variant_removes_only_its_file(storage_backend, avatar):
    small = avatar.variants.get(label="small")
    small.delete()
    assert stored_names() == set(AvatarVariant.objects.values_list("stored_name", flat=True))
    assert small.stored_name not in stored_names() and len(stored_names()) == 4


def test_files_stay_until_commit(avatar):
    with transaction.atomic():
        avatar.delete()
        assert len(stored_names()) == 5  # the transaction could still roll back
    assert stored_names() == set()


def test_a_rolled_back_delete_keeps_the_files(avatar):
    names, pk = stored_names(), avatar.pk
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            avatar.delete()
            raise RuntimeError("rolled back")
    assert stored_names() == names
    assert Avatar.objects.filter(pk=pk).exists()


def test_a_failing_storage_delete_is_logged_not_raised(avatar, monkeypatch, caplog):
    storage = storages["avatars"]

    def refuse(name):
        raise PermissionError(13, "Permission denied", name)

    monkeypatch.setattr(storage, "delete", refuse)
    with caplog.at_level(logging.ERROR, logger="mediakit.files"):
        avatar.delete()
    assert not Avatar.objects.exists()
    assert len([r for r in caplog.records if r.name == "mediakit.files"]) == 5
    assert len(stored_names()) == 5  # orphans, for cleanup_orphaned_avatars to find


@pytest.mark.parametrize(
    "delete",
    [
        pytest.param(lambda avatar: avatar.delete(), id="avatar"),
        pytest.param(lambda avatar: Avatar.objects.filter(pk=avatar.pk).delete(), id="avatar-queryset"),
    ],
)
def test_deleting_the_avatar_row_clears_the_profile_url(avatar, delete):
    user = avatar.user
    user.refresh_from_db()
    assert user.avatar_url
    delete(avatar)
    user.refresh_from_db()
    assert user.avatar_url is None
