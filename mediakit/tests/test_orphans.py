"""Orphan sweeping on a real local folder and on the S3 server."""

import os
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from mediakit.orphans import sweep_orphans, walk


def fill(storage) -> dict[str, str]:
    names = {
        key: storage.save(path, ContentFile(body))
        for key, path, body in [
            ("kept", "a/b/kept.jpg", b"k" * 10),
            ("orphan", "a/orphan.jpg", b"o" * 20),
            ("deep_orphan", "a/b/c/deep.png", b"d" * 30),
            ("top", "top.txt", b"t" * 5),
        ]
    }
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
    report = sweep_orphans(storage, referenced={names["kept"], names["top"]}, older_than=timedelta(days=30), now=later)
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
    dry = sweep_orphans(
        storage, referenced=set(), older_than=timedelta(0), dry_run=True, now=timezone.now() + timedelta(1)
    )
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


def age(storage, name: str, days: float) -> None:
    past = time.time() - days * 86400
    os.utime(storage.path(name), (past, past))


def test_folders_emptied_by_deletions_go_deepest_first_and_young_or_busy_ones_stay(settings):
    """Per-user and per-persona folders left empty after their files went: removed with the sweep's files."""
    storage = storages["persona_media"]
    kept = storage.save("7/3/kept.jpg", ContentFile(b"k"))
    storage.save("7/4/orphan.jpg", ContentFile(b"o"))
    for folder in ("8/5", "8/6", "9/1"):  # a deleted user's personas; another user's, just emptied
        os.makedirs(storage.path(folder))
    storage.save(".health/probe", ContentFile(b"x"))
    storage.delete(".health/probe")
    for name in ("7/4/orphan.jpg", "7/4", "8/5", "8/6", "8", ".health"):
        age(storage, name, 2)
    report = sweep_orphans(storage, referenced={kept}, older_than=timedelta(days=1))
    assert report.orphans == ["7/4/orphan.jpg"]
    # 7/4 was emptied by this very sweep: it goes too; 9/1 was emptied a moment ago (an upload may be about
    # to fill it) and stays, and so does 9; 7 still holds 7/3; the health probe's folder is never touched.
    assert report.folders == ["7/4", "8/5", "8/6", "8"]
    assert sorted(os.listdir(storage.path(""))) == [".health", "7", "9"]
    assert os.listdir(storage.path("7")) == ["3"] and os.listdir(storage.path("9")) == ["1"]


def test_a_dry_run_lists_the_folders_it_would_remove_and_removes_none(settings):
    storage = storages["persona_media"]
    storage.save("7/4/orphan.jpg", ContentFile(b"o"))
    for name in ("7/4/orphan.jpg", "7/4", "7"):
        age(storage, name, 2)
    report = sweep_orphans(storage, referenced=set(), older_than=timedelta(days=1), dry_run=True)
    assert (report.orphans, report.folders) == (["7/4/orphan.jpg"], ["7/4", "7"])
    assert storage.exists("7/4/orphan.jpg")


def test_s3_has_no_folders_to_remove(s3_storages):
    storage = storages["persona_media"]
    storage.save("7/4/orphan.jpg", ContentFile(b"o"))
    report = sweep_orphans(storage, referenced=set(), older_than=timedelta(0), now=timezone.now() + timedelta(1))
    assert (report.orphans, report.folders) == (["7/4/orphan.jpg"], [])
