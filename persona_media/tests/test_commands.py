"""manage.py cleanup_orphaned_media on the local folder and on S3."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from persona_media import conf
from persona_media.models import MediaFile
from persona_media.tests.helpers import stored_files

DAY = 24 * 3600


def run(*args: str, verbosity: int = 1) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("cleanup_orphaned_media", *args, verbosity=verbosity, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def scene(media) -> dict[str, str]:
    """One referenced file and two orphans (one in the user's folder, one elsewhere)."""
    storage = conf.storage()
    return {
        "kept": media.stored_name,
        "preview": media.preview_name,
        "orphan": storage.save(f"{media.user_id}/{media.persona_id}/left-behind.png", ContentFile(b"o" * 100)),
        "stray": storage.save("stray/file.mp4", ContentFile(b"s" * 50)),
    }


def test_removes_orphans_and_keeps_referenced_files(storage_backend, scene):
    out, err = run("--days", "0")
    assert stored_files() == sorted([scene["kept"], scene["preview"]])
    assert (
        "4 files checked, 2 kept, 2 orphaned (removed 150 bytes), 0 empty folders; 0 rows with a missing file."
    ) in out
    assert err == ""


def test_dry_run_removes_nothing(storage_backend, scene):
    out, _ = run("--days", "0", "--dry-run", verbosity=2)
    assert sorted(stored_files()) == sorted(scene.values())
    assert f"would remove {scene['orphan']}" in out and f"would remove {scene['stray']}" in out
    assert "Dry run: nothing was removed." in out


def test_a_dry_run_lists_what_it_would_remove_at_the_default_verbosity(storage_backend, scene):
    out, _ = run("--days", "0", "--dry-run")
    assert out.splitlines()[:2] == sorted(
        [f"would remove {scene['orphan']}", f"would remove {scene['stray']}"], key=lambda line: line.count("/") == 1
    )
    assert sorted(stored_files()) == sorted(scene.values())


def test_recent_orphans_are_kept(scene):
    old = time.time() - 40 * DAY
    os.utime(conf.storage().path(scene["stray"]), (old, old))
    out, _ = run()  # the default: 30 days
    assert sorted(stored_files()) == sorted([scene["kept"], scene["preview"], scene["orphan"]])
    assert "1 orphaned (removed 50 bytes)" in out


def test_reports_rows_whose_file_is_missing(storage_backend, media):
    conf.storage().delete(media.stored_name)
    out, err = run("--days", "0")
    assert f"media file {media.pk}: stored file {media.stored_name} is missing" in err
    assert "1 rows with a missing file" in out
    assert MediaFile.objects.filter(pk=media.pk).exists()  # reported, never deleted


def test_verbosity(scene):
    assert run("--days", "0", verbosity=0) == ("", "")
    assert stored_files() == sorted([scene["kept"], scene["preview"]])


def test_verbosity_2_names_each_file(scene):
    out, _ = run("--days", "0", verbosity=2)
    assert f"removed {scene['orphan']}" in out and f"removed {scene['stray']}" in out


@pytest.mark.django_db
def test_an_empty_storage_is_fine():
    out, _ = run()
    assert "0 files checked" in out


def test_negative_days_is_a_user_error():
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        run("--days", "-1")
