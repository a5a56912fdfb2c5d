"""manage.py generate_media_previews: previews and metadata for files stored before, on local and S3."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from persona_media import conf
from persona_media.models import MediaFile
from persona_media.tests.helpers import stored_files
from testkit import media as files

pytestmark = pytest.mark.django_db

BLANK = {
    "preview_name": "",
    "preview_type": "",
    "preview_bytes": None,
    "blurhash": "",
    "fps": None,
    "video_codec": "",
    "audio_codec": "",
    "bitrate": None,
    "playable": None,
}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_media_previews", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_before(user, persona, data: bytes, mime: str, kind: str, ext: str) -> MediaFile:
    """A row and a file as the first wave stored them: no preview, no stream metadata."""
    name = conf.storage().save(f"{user.pk}/{persona.pk}/legacy-{len(data)}.{ext}", ContentFile(data))
    return MediaFile.objects.create(
        user=user,
        persona=persona,
        filename=name.rsplit("/", 1)[-1],
        stored_name=name,
        original_filename=f"old.{ext}",
        size_bytes=len(data),
        mime_type=mime,
        media_type=kind,
        sha256=f"{len(data):064x}",
    )


@pytest.fixture
def legacy(user, persona, upload) -> dict[str, MediaFile]:
    assert upload(persona, "image", files.jpeg(900, 600), "photo.jpg").status_code == 201
    assert upload(persona, "video", files.real_mp4(), "clip.mp4").status_code == 201
    for media in MediaFile.objects.all():  # forget what the upload made
        conf.storage().delete(media.preview_name)
    MediaFile.objects.update(**BLANK)
    return {
        "image": MediaFile.objects.get(media_type="image"),
        "video": MediaFile.objects.get(media_type="video"),
        "mpeg4": stored_before(user, persona, files.real_mp4("mpeg4"), "video/mp4", "video", "mp4"),
        "broken": stored_before(user, persona, b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg", "image", "jpg"),
    }


def test_fills_in_previews_and_metadata_then_does_nothing(storage_backend, legacy):
    out, err = run()
    assert "3 previews made, 1 files could not be read (4 lacked a preview)." in out
    assert f"media file {legacy['broken'].pk}" in err and "could not be read" in err
    image, video, mpeg4 = (MediaFile.objects.get(pk=legacy[k].pk) for k in ("image", "video", "mpeg4"))
    assert (image.width, image.height, image.preview_type) == (900, 600, "image/jpeg")
    assert (video.video_codec, video.fps, video.playable, len(video.blurhash)) == ("h264", 8.0, True, 28)
    assert (mpeg4.video_codec, mpeg4.playable) == ("mpeg4", False)  # kept, but browsers cannot play it
    assert all(m.preview_name in stored_files() for m in (image, video, mpeg4))

    before = stored_files()
    out, err = run()
    assert "0 previews made" in out and stored_files() == before
    assert MediaFile.objects.filter(preview_name="").count() == 1  # only the unreadable one, reported again


def test_dry_run_changes_nothing(legacy):
    before = stored_files()
    out, _ = run("--dry-run")
    assert "4 media files lack a preview. Dry run: nothing was changed." in out
    assert stored_files() == before and MediaFile.objects.filter(preview_name="").count() == 4


def test_batches_report_progress(legacy):
    out, _ = run("--batch-size", "1")
    assert "1/4 done" in out and "4/4 done" in out


def test_a_bad_batch_size_is_refused():
    with pytest.raises(CommandError, match="--batch-size"):
        run("--batch-size", "0")


def test_the_preview_api_serves_what_the_command_made(api, legacy):
    run()
    body = api.get(f"/upload/files/{legacy['video'].pk}").json()
    assert body["preview_url"] and body["video_codec"] == "h264"
    assert api.get(f"/upload/files/{legacy['video'].pk}/preview").status_code == 200
