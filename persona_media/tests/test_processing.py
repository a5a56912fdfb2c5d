"""Videos converted in the background: 202 queued, 409 not_ready, the job, failures, retries, the sweep,
deletes racing a job, and what quota, stats, export and metrics say meanwhile.

The job runs here as the task backend's worker runs it (persona_media.jobs.run, the task's body); the
database backend's own worker processes are in critvue/tests/test_topology_workers.py.
"""

import io
import threading
import zipfile
from datetime import timedelta

import av
import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from persona_media import jobs
from persona_media.models import MediaFile, Processing
from persona_media.tests.helpers import post_file, stored_bytes, stored_files
from testkit import phone, videos
from testkit.appsettings import app_settings
from testkit.metrics import scrape

pytestmark = pytest.mark.django_db(transaction=True)


def queued_upload(api, persona, data=None, name="IMG_0001.MOV"):
    response = post_file(api, persona.pk, "video", data or phone.hevc_mov(), name)
    assert response.status_code == 202, response.content
    return response


def test_an_iphone_clip_is_queued_then_served_as_a_browser_playable_mp4(storage_backend, api, persona):
    data = phone.hevc_mov()
    response = queued_upload(api, persona, data)
    body = response.json()
    assert response["Location"].endswith(f"/upload/files/{body['id']}")
    assert (body["processing_status"], body["processing_error"], body["download_url"]) == ("queued", None, None)
    assert (body["mime_type"], body["original_mime_type"], body["video_codec"]) == (
        "video/quicktime",
        "video/quicktime",
        "hevc",
    )
    assert (body["width"], body["height"], body["file_size"]) == (48, 64, len(data))  # as displayed: turned
    assert body["preview_url"] and len(body["blurhash"]) == 28  # the poster, at once
    assert api.get(body["preview_url"]).status_code == 200
    waiting = api.get(f"/upload/files/{body['id']}/download")
    assert (waiting.status_code, waiting.json()["code"], waiting["Retry-After"]) == (409, "not_ready", "5")
    stats = api.get("/upload/stats").json()
    assert (stats["total_files"], stats["quota_used_bytes"]) == (0, len(data))  # stored now, not ready
    # The doorbell was rung once the row committed: one task for it in the database backend.
    assert [task.args_kwargs["args"] for task in DBTaskResult.objects.all()] == [[body["id"]]]

    assert jobs.run(body["id"]) == "ready"
    ready = api.get(f"/upload/files/{body['id']}").json()
    assert (ready["processing_status"], ready["mime_type"], ready["original_mime_type"]) == (
        "ready",
        "video/mp4",
        "video/quicktime",
    )
    assert (ready["video_codec"], ready["audio_codec"], ready["width"], ready["height"]) == ("h264", "aac", 48, 64)
    assert ready["filename"].endswith(".mp4") and ready["original_filename"] == "IMG_0001.MOV"
    served = b"".join(api.get(f"/upload/files/{body['id']}/download").streaming_content)
    assert len(served) == ready["file_size"] and served != data
    with av.open(io.BytesIO(served)) as mp4:
        video = mp4.streams.video[0]
        assert (video.codec_context.name, video.codec_context.format.name) == ("h264", "yuv420p")
        assert mp4.streams.audio[0].codec_context.name == "aac"
        assert "location" not in mp4.metadata
    assert served.index(b"moov") < served.index(b"mdat")
    media = MediaFile.objects.get()
    assert stored_files() == sorted([media.stored_name, media.preview_name])  # the upload is gone
    assert api.get("/upload/stats").json()["total_files"] == 1


def test_a_compliant_mp4_is_never_queued(api, persona):
    response = post_file(api, persona.pk, "video", videos.encode("libx264", audio="aac"), "clip.mp4")
    assert response.status_code == 201 and response.json()["processing_status"] == "ready"
    assert not DBTaskResult.objects.exists()


def test_a_webm_screen_recording_is_converted(api, persona):
    body = queued_upload(api, persona, phone.vp9_webm(), "screen.webm").json()
    assert (body["mime_type"], body["video_codec"], body["audio_codec"]) == ("video/webm", "vp9", "opus")
    jobs.run(body["id"])
    ready = api.get(f"/upload/files/{body['id']}").json()
    assert (ready["mime_type"], ready["video_codec"], ready["audio_codec"]) == ("video/mp4", "h264", "aac")


def test_a_job_run_twice_gives_one_result(api, persona):
    """A message delivered twice: the second run finds the row done and keeps nothing."""
    body = queued_upload(api, persona).json()
    assert [jobs.run(body["id"]), jobs.run(body["id"])] == ["ready", "skipped"]
    media = MediaFile.objects.get()
    assert stored_files() == sorted([media.stored_name, media.preview_name]) and media.attempts == 1


def test_a_job_held_by_a_live_worker_is_left_alone(api, persona):
    body = queued_upload(api, persona).json()
    assert jobs.claim(body["id"], "other-worker") is not None
    assert jobs.run(body["id"]) == "skipped"
    assert MediaFile.objects.get().lease_holder == "other-worker"


def test_the_sweep_hands_a_dead_workers_job_to_the_next(api, persona):
    """A worker that died mid-job: its lease runs out, the sweep queues the job again, another run
    finishes it; the dead one's half-written result is removed."""
    body = queued_upload(api, persona).json()
    dead = jobs.claim(body["id"], "dead-worker")
    from persona_media import conf

    conf.storage().save(dead.pending_name, io.BytesIO(b"half a result"))
    assert jobs.sweep() == []  # its lease still runs
    MediaFile.objects.filter(pk=body["id"]).update(lease_expires=timezone.now() - timedelta(seconds=1))
    DBTaskResult.objects.all().delete()
    assert jobs.sweep() == [body["id"]]
    assert MediaFile.objects.get().processing_status == Processing.QUEUED
    assert DBTaskResult.objects.count() == 1  # rung again
    assert jobs.run(body["id"]) == "ready"
    media = MediaFile.objects.get()
    assert media.attempts == 2 and stored_files() == sorted([media.stored_name, media.preview_name])
    assert not jobs.renew(body["id"], "dead-worker")  # a late heartbeat of the dead worker is told to stop


def test_a_queued_file_no_worker_took_is_rung_again(settings, api, persona):
    app_settings(settings, "PERSONA_MEDIA", JOB_REQUEUE_SECONDS=0.001)
    body = queued_upload(api, persona).json()
    DBTaskResult.objects.all().delete()  # the message was lost
    assert jobs.sweep() == [body["id"]] and DBTaskResult.objects.count() == 1


def test_a_job_that_keeps_dying_fails_after_its_attempts(settings, api, persona):
    body = queued_upload(api, persona).json()
    MediaFile.objects.filter(pk=body["id"]).update(attempts=3)
    assert jobs.run(body["id"]) == "skipped"
    failed = api.get(f"/upload/files/{body['id']}").json()
    assert (failed["processing_status"], failed["processing_error"]) == ("failed", "processing_failed")


def test_past_its_time_limit_a_job_fails_and_staff_can_retry_it(settings, api, persona, moderator):
    app_settings(settings, "PERSONA_MEDIA", JOB_TIME_LIMIT=0.01)
    data = videos.encode("mpeg4", width=640, height=360, frames=24, rate=24)
    body = queued_upload(api, persona, data, "slow.mp4").json()
    assert jobs.run(body["id"]) == "failed"
    failed = api.get(f"/upload/files/{body['id']}").json()
    assert (failed["processing_status"], failed["processing_error"], failed["download_url"]) == (
        "failed",
        "processing_timeout",
        None,
    )
    gone = api.get(f"/upload/files/{body['id']}/download")
    assert (gone.status_code, gone.json()["code"]) == (410, "processing_timeout")
    stats = api.get("/upload/stats").json()
    assert (stats["total_files"], stats["quota_used_bytes"]) == (0, 0)  # nothing counts
    listing = moderator.get("/admin/persona_media/mediafile/?processing_status__exact=failed")
    assert b"processing_timeout" in listing.content and b"retry possible" in listing.content

    app_settings(settings, "PERSONA_MEDIA", JOB_TIME_LIMIT=600)
    retried = moderator.post(
        "/admin/persona_media/mediafile/", {"action": "retry_processing", "_selected_action": [body["id"]]}, follow=True
    )
    assert b"1 file(s) queued for processing again" in retried.content
    assert MediaFile.objects.get().processing_status == Processing.QUEUED
    assert jobs.run(body["id"]) == "ready"
    assert api.get(f"/upload/files/{body['id']}").json()["processing_status"] == "ready"


def test_a_file_that_cannot_be_converted_fails_and_keeps_nothing(api, persona):
    body = queued_upload(api, persona).json()
    media = MediaFile.objects.get()
    # Its stored upload damaged behind the app's back: the conversion finds it unreadable.
    from persona_media import conf

    conf.storage().delete(media.stored_name)
    conf.storage().save(media.stored_name, io.BytesIO(videos.scrambled(phone.hevc_mov(), keep=0)))
    assert jobs.run(body["id"]) == "failed"
    failed = MediaFile.objects.get()
    assert failed.processing_status == Processing.FAILED and failed.processing_error not in jobs.RETRYABLE
    assert stored_files() == [] and api.get(f"/upload/files/{body['id']}").json()["preview_url"] is None


@pytest.mark.parametrize("when", ["before", "during", "after"])
def test_deleting_a_file_while_its_job_runs_leaves_nothing(api, persona, when):
    """Whichever comes first, the delete answers 204 and no file stays behind."""
    data = videos.encode("mpeg4", width=640, height=360, frames=48, rate=24)
    body = queued_upload(api, persona, data, "clip.mp4").json()
    outcome = []

    def work():  # as a worker thread does: its own database connection, closed when done
        try:
            outcome.append(jobs.run(body["id"]))
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    if when == "before":
        assert api.delete(f"/upload/files/{body['id']}").status_code == 204
    worker.start()
    if when == "during":
        while MediaFile.objects.filter(pk=body["id"], processing_status=Processing.QUEUED).exists():
            pass  # until the worker holds it
        assert api.delete(f"/upload/files/{body['id']}").status_code == 204
    worker.join()
    if when == "after":
        assert api.delete(f"/upload/files/{body['id']}").status_code == 204
    assert not MediaFile.objects.exists() and stored_files() == []
    assert outcome[0] in {"before": ["skipped"], "during": ["dropped", "ready"], "after": ["ready"]}[when]


def test_a_file_rejected_mid_job_keeps_no_result(api, persona):
    from mediakit.review import Status

    body = queued_upload(api, persona).json()
    media = jobs.claim(body["id"], "a-worker")
    MediaFile.objects.filter(pk=body["id"]).update(moderation_status=Status.REJECTED)
    assert not jobs.renew(body["id"], "a-worker")  # the running conversion is told to stop
    with pytest.raises(jobs.LeaseLost), transaction.atomic():
        jobs._locked_lease(media.pk, "a-worker")  # and a swap would keep nothing
    assert jobs.run(body["id"]) == "skipped"


def test_deleting_the_persona_mid_job_leaves_nothing(api, persona):
    body = queued_upload(api, persona).json()
    jobs.claim(body["id"], "a-worker")
    assert api.delete(f"/api/v1/personas/{persona.pk}").status_code == 204
    assert not jobs.renew(body["id"], "a-worker") and stored_files() == []


def test_the_export_holds_what_download_serves(api, persona):
    ready = post_file(api, persona.pk, "video", videos.encode("libx264"), "ready.mp4").json()
    waiting = queued_upload(api, persona).json()
    archive = zipfile.ZipFile(io.BytesIO(b"".join(api.get("/api/v1/profile/me/export").streaming_content)))
    names = [n for n in archive.namelist() if n.startswith("media/")]
    assert names == [f"media/{persona.pk}/{ready['id']}-ready.mp4"]
    jobs.run(waiting["id"])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(api.get("/api/v1/profile/me/export").streaming_content)))
    converted = MediaFile.objects.get(pk=waiting["id"])
    assert archive.read(f"media/{persona.pk}/{waiting['id']}-IMG_0001.MOV") == stored_bytes(converted.stored_name)


def test_jobs_are_in_the_metrics(api, persona):
    queued_upload(api, persona)
    text = scrape()
    assert 'persona_media_jobs{state="queued"} 1.0' in text
    assert "persona_media_queue_age_seconds" in text
    jobs.run(MediaFile.objects.get().pk)
    text = scrape()
    assert 'persona_media_jobs{state="ready"} 1.0' in text
    assert 'persona_media_conversion_seconds_bucket{le="+Inf"} 1.0' in text


# --- Issue 20's findings in this app -------------------------------------------------------------


def test_a_jpeg_posted_to_the_video_endpoint_is_the_wrong_type_even_when_it_is_a_duplicate(api, persona):
    from testkit import media as files

    data = files.jpeg(64, 48)
    assert post_file(api, persona.pk, "image", data, "a.jpg").status_code == 201
    response = post_file(api, persona.pk, "video", data, "a.jpg")
    assert (response.status_code, response.json()["code"]) == (400, "unsupported_type")


def test_a_rejected_file_offers_no_links(api, persona):
    from mediakit.review import Status

    body = post_file(api, persona.pk, "video", videos.encode("libx264"), "a.mp4").json()
    MediaFile.objects.filter(pk=body["id"]).update(moderation_status=Status.REJECTED, moderation_reason="No.")
    rejected = api.get(f"/upload/files/{body['id']}").json()
    assert (rejected["download_url"], rejected["preview_url"]) == (None, None)


def test_a_host_without_workers_converts_in_the_request(settings, api, persona):
    """No TASKS of the host's own: django-tasks' immediate backend runs the job once the row commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = post_file(api, persona.pk, "video", phone.hevc_mov(), "IMG_0001.MOV")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["processing_status"], body["mime_type"], body["video_codec"]) == ("ready", "video/mp4", "h264")
    assert body["download_url"]


def test_the_sweep_command_lists_then_queues_again(settings, api, persona):
    from django.core.management import call_command

    app_settings(settings, "PERSONA_MEDIA", JOB_REQUEUE_SECONDS=0.001)
    body = queued_upload(api, persona).json()
    DBTaskResult.objects.all().delete()
    out = io.StringIO()
    call_command("requeue_media_jobs", "--dry-run", stdout=out)
    assert out.getvalue().strip() == f"would queue again 1 media conversion(s): {body['id']}"
    assert not DBTaskResult.objects.exists()
    call_command("requeue_media_jobs", stdout=out)
    assert DBTaskResult.objects.count() == 1
