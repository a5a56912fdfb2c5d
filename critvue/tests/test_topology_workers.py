"""Background conversion in the production topology: two web instances behind nginx, two real worker
processes (`manage.py worker`, the Procfile's) over one PostgreSQL and one storage folder. The worker
holding a conversion is SIGKILLed mid-job; the job still ends `ready`, once, with no file left over."""

import io
import os
import signal
import subprocess
import sys
import time

import av
import pytest
import requests

from critvue.tests.topology import ROOT, account, create_persona, stored_files
from persona_media.models import MediaFile, Processing
from testkit import videos

pytestmark = pytest.mark.django_db(transaction=True)
DEADLINE_SECONDS = 180
# Short leases and sweeps so that a dead worker's job moves on in seconds, not the production minute.
WORKER_ENV = {
    "PERSONA_MEDIA_JOB_LEASE_SECONDS": "3",
    "PERSONA_MEDIA_JOB_REQUEUE_SECONDS": "3",
    "PERSONA_MEDIA_SWEEP_SECONDS": "1",
}


def start_worker(site, name: str) -> subprocess.Popen:
    log = open(site.folder / f"worker-{name}.log", "wb")
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--worker-id",
            name,
        ],
        cwd=ROOT,
        env={**site.env, **WORKER_ENV},
        stdout=log,
        stderr=log,
    )


def wait_for(condition, what: str):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_a_worker_killed_mid_conversion_delays_the_job_but_it_ends_ready_once(local_site):
    workers = {name: start_worker(local_site, name) for name in ("w1", "w2")}
    try:
        who = account(local_site)
        persona = create_persona(local_site, who)
        # 720p MPEG-4 Part 2: quick to make, a second or two of x264 to convert, so it is killed mid-job.
        data = videos.encode("mpeg4", width=1280, height=720, frames=48, rate=24)
        upload = requests.post(
            local_site.url(f"/upload/persona/{persona}/video", "a"),
            headers=who.headers,
            files={"file": ("clip.mp4", data, "video/mp4")},
        )
        assert upload.status_code == 202, upload.text
        media_id = upload.json()["id"]

        held = wait_for(
            lambda: (
                MediaFile.objects.filter(pk=media_id, processing_status=Processing.PROCESSING)
                .exclude(lease_holder="")
                .first()
            ),
            "a worker to take the job",
        )
        victim = next(p for p in workers.values() if p.pid == int(held.lease_holder.split(":")[1]))
        os.kill(victim.pid, signal.SIGKILL)  # mid-conversion, as a machine that dies
        victim.wait(timeout=30)

        body = wait_for(
            lambda: (lambda b: b if b["processing_status"] == "ready" else None)(
                requests.get(local_site.url(f"/upload/files/{media_id}", "b"), headers=who.headers).json()
            ),
            "the job to end ready",
        )
        media = MediaFile.objects.get(pk=media_id)
        assert media.attempts >= 2 and media.lease_holder == "" and media.pending_name == ""
        assert (body["mime_type"], body["video_codec"]) == ("video/mp4", "h264")
        # One result: the row names it, its preview is beside it, and nothing else is left.
        assert stored_files(local_site.media, f"{who.id}/{persona}") == {media.stored_name, media.preview_name}
        served = requests.get(local_site.url(f"/upload/files/{media_id}/download"), headers=who.headers)
        assert served.status_code == 200 and len(served.content) == body["file_size"]
        with av.open(io.BytesIO(served.content)) as mp4:
            assert mp4.streams.video[0].codec_context.name == "h264"
            assert sum(1 for _ in mp4.decode(video=0)) == 48
        survivor = next(p for p in workers.values() if p is not victim)
        assert survivor.poll() is None  # the other worker carried on
    finally:
        for proc in workers.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
