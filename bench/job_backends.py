"""What each task backend does when a worker is SIGKILLed mid-conversion (`python -m bench.job_backends`).

For django-tasks-db on PostgreSQL (Critvue's choice) and django-tasks-rq on Redis: an idle worker's
pick-up time (enqueue to finished, a job with nothing to do); then a real conversion whose worker is
SIGKILLed mid-job while a second worker idles — what the backend itself then does with the job within
a grace period (no sweep), and the time from the kill to `ready` once the media sweep runs (the lease
of the media row, not the backend, hands the job on). Needs DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.live import ROOT, migrate, server_env

GRACE_SECONDS = 20  # how long the backend alone is given to run the dead worker's job again
LEASE_SECONDS = 3
BACKENDS = {
    "database (django-tasks-db, PostgreSQL)": (
        "critvue.settings",
        ["worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "--sweep-every", "0"],
    ),
    "RQ (django-tasks-rq, Redis)": ("bench.settings_rq", ["rqworker", "default", "--job-class", "django_tasks_rq.Job"]),
}


def script(settings: str, body: str, env: dict[str, str]) -> str:
    """Run `body` in a fresh Django process with these settings; its stdout."""
    code = "import django; django.setup()\n" + body
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": settings},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"a bench step failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip()


SETUP = """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.contrib.auth import get_user_model
from persona_media.models import Persona
from persona_media.services import media_create
from django.db import transaction
import uuid, sys
user = get_user_model().objects.create_user(email=f"b-{uuid.uuid4().hex}@example.com", password="x-Horse-42-x")
persona = Persona.objects.create(user=user, name="bench")
data = open(sys.argv[1], "rb").read()
with transaction.atomic():
    media = media_create(user=user, persona=persona, upload=SimpleUploadedFile("clip.mp4", data), media_type="video")
print(media.pk)
"""


def state(settings, env, media_id) -> tuple[str, str, int]:
    """The row's processing state, lease holder and attempts, read straight from PostgreSQL (no Django start-up:
    the kill must land mid-conversion)."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as connection:
        return connection.execute(
            "SELECT processing_status, lease_holder, attempts FROM persona_media_mediafile WHERE id = %s", [media_id]
        ).fetchone()


def worker(settings: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def pickup(settings: str, env: dict[str, str]) -> float:
    """Enqueue to finished of a job with nothing to do (a media id that does not exist), median of 5."""
    # A finished RQ job may be gone from Redis before it is read back: that counts as finished too.
    body = (
        "import time\nfrom persona_media.tasks import convert_media\nfrom django_tasks import TaskResultStatus\n"
        "from django_tasks.exceptions import TaskResultDoesNotExist\n"
        "times = []\nfor _ in range(5):\n    started = time.perf_counter()\n    result = convert_media.enqueue(0)\n"
        "    while True:\n        try:\n            result.refresh()\n        except TaskResultDoesNotExist:\n"
        "            break\n        if result.status == TaskResultStatus.SUCCESSFUL: break\n"
        "        assert result.status != TaskResultStatus.FAILED, result.errors\n"
        "        time.sleep(0.005)\n    times.append(time.perf_counter() - started)\nprint(sorted(times)[2])"
    )
    return float(script(settings, body, env))


def crash(settings: str, command: list[str], env: dict[str, str], clip: Path) -> tuple[str, float]:
    """Kill the worker holding a conversion; what the backend alone did in GRACE_SECONDS, and kill-to-ready."""
    media_id = int(script(settings, SETUP.replace("sys.argv[1]", repr(str(clip))), env))
    first = worker(settings, command, env)
    while (status := state(settings, env, media_id)[0]) != "processing":
        if status not in ("queued", "processing"):
            raise SystemExit(f"the job ended {status} before it could be killed")
        time.sleep(0.05)
    # The worker and everything it started (RQ's work horse runs in a session of its own): a machine that dies.
    tree = psutil.Process(first.pid)
    for process in [tree, *tree.children(recursive=True)]:
        process.kill()
    first.wait()
    killed = time.monotonic()
    second = worker(settings, command, env)
    try:
        time.sleep(GRACE_SECONDS)
        alone = state(settings, env, media_id)
        if alone[2] < 2 and alone[0] == "ready":
            raise SystemExit("the conversion ended before its worker was killed: make the clip longer")
        verdict = (
            "ran it again: ready"
            if alone[0] == "ready"
            else f"did not run it again (row {alone[0]}, attempt {alone[2]})"
        )
        while state(settings, env, media_id)[0] != "ready":
            script(settings, "from persona_media import jobs\njobs.sweep()", env)  # the timer / the worker's sweep
            time.sleep(0.5)
        return verdict, time.monotonic() - killed
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=60)


def main() -> int:
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench.job_backends needs DATABASE_URL (PostgreSQL) and REDIS_URL: run it through `make bench`")
        return 0
    from testkit import videos

    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        env = server_env(Path(tmp))
        env.update(PERSONA_MEDIA_JOB_LEASE_SECONDS=str(LEASE_SECONDS), PERSONA_MEDIA_JOB_REQUEUE_SECONDS="2")
        migrate(env)
        clip = Path(tmp) / "clip.mp4"
        clip.write_bytes(videos.encode("mpeg4", width=1920, height=1080, frames=240, rate=24))
        print(
            f"a 1080p conversion's worker SIGKILLed mid-job, a second worker idle; lease {LEASE_SECONDS} s; "
            f"the backend alone given {GRACE_SECONDS} s\n"
        )
        print(f"{'backend':42} {'pick-up':>9}  {'what the backend alone did':44} {'kill to ready with the sweep':>28}")
        for name, (settings, command) in BACKENDS.items():
            idle = worker(settings, command, env)
            try:
                time.sleep(2)
                picked = pickup(settings, env)
            finally:
                os.killpg(idle.pid, signal.SIGTERM)
                idle.wait(timeout=60)
            verdict, recovered = crash(settings, command, env, clip)
            print(f"{name:42} {picked * 1000:7.0f}ms  {verdict:44} {recovered:26.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
