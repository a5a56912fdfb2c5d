"""avatar_replace and avatar_delete: all or nothing across storage and database, one avatar per user."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, connection
from django.db.models.signals import pre_save
from rest_framework.test import APIClient

from accounts.models import User
from avatars import services
from avatars.imaging import ImageRejected
from avatars.models import Avatar, AvatarVariant
from avatars.tests.support import failing_storage, name_from_url, post_avatar, stored_names
from testkit import images as I

transactional = pytest.mark.django_db(transaction=True)


def upload(data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("avatar.jpg", I.photo_jpeg(400, 300) if data is None else data)


def snapshot(user) -> tuple:
    """What the user's avatar is: rows, profile URL and the files in storage."""
    user.refresh_from_db()
    rows = sorted(AvatarVariant.objects.values_list("avatar__user_id", "label", "stored_name", "size_bytes"))
    return list(Avatar.objects.values_list("pk", "user_id")), rows, user.avatar_url, stored_names()


@pytest.mark.django_db
def test_replace_returns_the_new_avatar_and_sets_the_profile_url(storage_backend, user):
    avatar = services.avatar_replace(user=user, upload=upload())
    assert avatar.user == user and avatar.original_dimensions == "400x300"
    assert user.avatar_url == avatar.urls["medium"]
    user.refresh_from_db()
    assert user.avatar_url == avatar.urls["medium"]
    assert stored_names() == {v.stored_name for v in avatar.variants.all()}


@pytest.mark.django_db
def test_names_are_new_on_every_upload(user):
    names = set()
    for _ in range(3):
        names |= {v.stored_name for v in services.avatar_replace(user=user, upload=upload()).variants.all()}
    assert len(names) == 15


@pytest.mark.django_db
def test_rejected_upload_raises_before_anything_is_written(user):
    with pytest.raises(ImageRejected) as caught:
        services.avatar_replace(user=user, upload=upload(I.PDF))
    assert caught.value.code == "unsupported_type"
    assert not Avatar.objects.exists() and stored_names() == set()


@transactional
def test_delete_returns_the_number_of_files(storage_backend, user, make_avatar):
    make_avatar(user)
    assert services.avatar_delete(user=user) == 5
    assert user.avatar_url is None
    assert not Avatar.objects.exists() and stored_names() == set()
    with pytest.raises(Avatar.DoesNotExist):
        services.avatar_delete(user=user)


@transactional
@pytest.mark.parametrize("fail_on", [1, 3, 5])
def test_storage_failure_keeps_the_old_avatar_and_no_new_file(storage_backend, settings, user, make_avatar, fail_on):
    make_avatar(user)
    before = snapshot(user)
    failing_storage(settings, fail_on)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)

    response = post_avatar(client, I.png_rgba(300, 300))

    # A full disk (OSError ENOSPC) is the contract's 507, on local storage and S3 alike.
    assert response.status_code == 507
    assert response.json() == {"detail": "The storage is full; nothing was stored.", "code": "insufficient_storage"}
    assert snapshot(user) == before


def fail_on_save(exc: Exception):
    def receiver(sender, **kwargs):
        raise exc

    return receiver


def fail_statement(prefix: str, exc: Exception):
    """A database that refuses statements starting with `prefix` (connection.execute_wrapper hook)."""

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(prefix):
            raise exc
        return execute(sql, params, many, context)

    return wrapper


@transactional
@pytest.mark.parametrize(
    ("table", "exc"),
    [
        pytest.param(
            "avatars_avatar", IntegrityError("duplicate key value violates unique constraint"), id="avatar-row"
        ),
        pytest.param("avatars_avatarvariant", DatabaseError("could not serialize access"), id="variant-rows"),
    ],
)
def test_database_failure_keeps_the_old_avatar_and_removes_new_files(storage_backend, user, make_avatar, table, exc):
    make_avatar(user)
    before = snapshot(user)
    with connection.execute_wrapper(fail_statement(f'INSERT INTO "{table}"', exc)), pytest.raises(type(exc)):
        services.avatar_replace(user=user, upload=upload(I.png_rgba(300, 300)))
    assert snapshot(user) == before


@transactional
def test_database_failure_through_the_api_is_a_json_500(user, make_avatar):
    make_avatar(user)
    before = snapshot(user)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    pre_save.connect(
        fail_on_save(DatabaseError("server closed the connection")),
        sender=Avatar,
        dispatch_uid="test-db-failure",
        weak=False,
    )
    try:
        response = post_avatar(client, I.photo_jpeg(300, 300))
    finally:
        pre_save.disconnect(dispatch_uid="test-db-failure", sender=Avatar)
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    assert snapshot(user) == before


@transactional
def test_concurrent_uploads_end_with_one_avatar_and_no_orphans(user, make_avatar, monkeypatch):
    make_avatar(user)
    lock = services._lock

    def slow_lock(u):
        locked = lock(u)
        time.sleep(0.3)  # hold the user's row while the other upload arrives
        return locked

    monkeypatch.setattr(services, "_lock", slow_lock)
    start = threading.Barrier(2)
    results: list[object] = []

    def run(data: bytes) -> None:
        start.wait()
        try:
            results.append(services.avatar_replace(user=User.objects.get(pk=user.pk), upload=upload(data)))
        except Exception as exc:  # recorded, so the assertion below shows it
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(data,)) for data in (I.photo_jpeg(300, 300), I.png_rgba(300, 300))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    succeeded = [r for r in results if isinstance(r, Avatar)]
    failed = [r for r in results if not isinstance(r, Avatar)]
    # PostgreSQL's row lock (SQLite's IMMEDIATE write lock) serialised them: both committed in turn.
    assert len(succeeded) == 2, failed
    avatar = Avatar.objects.get(user=user)
    assert avatar.pk in {a.pk for a in succeeded}
    assert AvatarVariant.objects.count() == 5
    assert stored_names() == set(AvatarVariant.objects.values_list("stored_name", flat=True))
    user.refresh_from_db()
    assert user.avatar_url == avatar.urls["medium"]
    assert name_from_url(user.avatar_url) in stored_names()
