"""manage.py cleanup_orphaned_avatars on the local folder and on S3."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.utils import timezone

from avatars.tests.support import stored_names

pytestmark = pytest.mark.django_db

ORPHANS = {
    "medium/avatar_9_00000000000000aa_medium.jpg": b"x" * 1000,
    "full/avatar_9_00000000000000aa_full.png": b"y" * 2000,
    "stray.txt": b"z" * 24,
}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cleanup_orphaned_avatars", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def orphans():
    storage = storages["avatars"]
    return {storage.save(name, ContentFile(data)) for name, data in ORPHANS.items()}


@pytest.fixture
def later(monkeypatch):
    """Run the command as if `days` had passed since every file was written."""

    def move(days: int) -> None:
        moved = timezone.now() + timedelta(days=days)
        monkeypatch.setattr("mediakit.orphans.timezone.now", lambda: moved)

    return move


def test_removes_old_unreferenced_files_only(storage_backend, user, make_avatar, orphans, later):
    avatar = make_avatar(user)
    referenced = {v.stored_name for v in avatar.variants.all()}
    later(31)

    out = run()

    assert stored_names() == referenced
    assert (
        "8 files checked, 5 kept, 3 orphaned (removed 3024 bytes), 0 empty folders; 0 rows with a missing file."
    ) in out


def test_dry_run_removes_nothing(storage_backend, user, make_avatar, orphans, later):
    make_avatar(user)
    before = stored_names()
    later(31)

    out = run("--dry-run", "--verbosity", "2")

    assert stored_names() == before
    assert "3 orphaned (would remove 3024 bytes)" in out
    for name in orphans:
        assert f"would remove {name}" in out


def test_young_files_are_kept(storage_backend, orphans, later):
    later(29)
    assert "3 files checked, 3 kept, 0 orphaned (removed 0 bytes)" in run()
    assert stored_names() == orphans


def test_days_counts_from_the_file_time(settings, orphans):
    old = "medium/avatar_9_00000000000000aa_medium.jpg"
    month_ago = time.time() - 31 * 86400
    os.utime(storages["avatars"].path(old), (month_ago, month_ago))

    run("--days", "30")

    assert stored_names() == orphans - {old}


def test_days_zero_still_never_touches_a_referenced_file(storage_backend, user, make_avatar, later):
    avatar = make_avatar(user)
    later(1)
    run("--days", "0")
    assert stored_names() == {v.stored_name for v in avatar.variants.all()}


def test_verbosity_zero_prints_nothing(orphans, later):
    later(31)
    assert run("--verbosity", "0") == ""
    assert stored_names() == set()


def test_verbosity_two_lists_each_removed_file(orphans, later):
    later(31)
    out = run("--verbosity", "2")
    files = {line.removeprefix("removed ") for line in out.splitlines() if line.startswith("removed ")}
    assert {name for name in files if not name.startswith("empty folder ")} == orphans


def test_empty_storage(storage_backend):
    assert "0 files checked, 0 kept, 0 orphaned (removed 0 bytes)" in run()


def test_negative_days_is_refused():
    with pytest.raises(CommandError, match="--days"):
        run("--days", "-1")


def test_rows_whose_file_is_missing_are_reported_not_deleted(user, make_avatar):
    avatar = make_avatar(user)
    medium = avatar.variants.get(label="medium")
    storages["avatars"].delete(medium.stored_name)
    out, err = io.StringIO(), io.StringIO()
    call_command("cleanup_orphaned_avatars", "--days", "0", stdout=out, stderr=err)
    assert f"avatar variant {medium.pk}: stored file {medium.stored_name} is missing" in err.getvalue()
    assert "1 rows with a missing file" in out.getvalue()
    assert avatar.variants.filter(pk=medium.pk).exists()
