"""Orphan sweeping on a real local folder and on the S3 server."""
import os
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from mediakit.orphans import sweep_orphans, walk


def fill(storage) -> dict[str, str]:
    names = {key: storage.save(path, ContentFile(body)) for key, path, body in [
        ("kept", "a/b/kept.jpg", b"k" * 10),
        ("orphan", "a/orphan.jpg", b"o" * 20),
        ("deep_orphan", "a/b/c/deep.png", b"d" * 30),
        ("top", "top.txt", b"t" * 5),
    ]}
    storage.save(".health/probe", ContentFile(b"x"))
    return names


def test_walk_lists_every_file_depth_first(storage_backend):
    storage = storages["avatars"]
    names = fill(storage)
    assert set(walk(storage)) == set(names.values()) | {".health/probe"}


def test_walk_of_a_missing_local_folder_is_empty(settings):
    assert list(walk(storages["avatars"])) == []


def test_sweep_removes_only_unreferenced_old_files(storage_backend):
    storage = storages["avatars"]
    names = fill(storage)
    later = timezone.now() + timedelta(days=31)
    report = sweep_orphans(storage, referenced={names["kept"], names["top"]}, older_than=timedelta(days=30),
                           now=later)
    assert sorted(report.orphans) == sorted([names["orphan"], names["deep_orphan"]])
    assert (report.counted, report.kept, report.removed, report.bytes_freed) == (4, 2, 2, 50)
    assert storage.exists(names["kept"]) and storage.exists(names["top"])
    assert not storage.exists(names["orphan"]) and not storage.exists(names["deep_orphan"])
    assert storage.exists(".health/probe")  # never counted, never removed


def test_sweep_keeps_recent_files_and_dry_run_removes_nothing(storage_backend):
    storage = storages["avatars"]
    names = fill(storage)
    recent = sweep_orphans(storage, referenced=set(), older_than=timedelta(days=30))
    assert (recent.counted, recent.kept, recent.removed) == (4, 4, 0)
    swept = sweep_orphans(storage, referenced=set(), older_than=timedelta(0), now=timezone.now() + timedelta(1))
    assert (swept.removed, len(swept.orphans)) == (4, 4)
    names = fill(storage)
    dry = sweep_orphans(storage, referenced=set(), older_than=timedelta(0), dry_run=True,
                        now=timezone.now() + timedelta(1))
    assert dry.removed == 0 and len(dry.orphans) == 4 and dry.bytes_freed == 65
    assert all(storage.exists(n) for n in names.values())


def test_sweep_uses_file_age_on_disk(settings):
    storage = storages["avatars"]
    old = storage.save("old.jpg", ContentFile(b"1"))
    new = storage.save("new.jpg", ContentFile(b"2"))
    past = time.time() - 40 * 86400
    os.utime(storage.path(old), (past, past))
    report = sweep_orphans(storage, referenced=set(), older_than=timedelta(days=30))
    assert report.orphans == [old]
    assert not storage.exists(old) and storage.exists(new)
