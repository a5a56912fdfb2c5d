"""The four apps installed from a wheel into minimal Django projects, used over HTTP as their users would.

Each host is a project a Django developer could have written (critvue/tests/hosts/): a stock project
with avatars alone, one with persona_media alone, and one with a user model of its own (no email)
and all four apps, pre-moderated, on PostgreSQL when the run has it. Each runs `check`, `migrate`,
`makemigrations --check`, then serves with `runserver` and is driven with real requests.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import av
import psycopg
import pytest
import requests
from PIL import Image

from critvue.tests.installed import build_wheel, host_env, make_venv
from testkit import media as files
from testkit import phone, videos
from testkit.images import photo_jpeg
from testkit.net import free_port

HOSTS = Path(__file__).resolve().parent / "hosts"
PASSWORD = "Host-Test-Pass-42"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def small_venv(tmp_path_factory, wheel) -> Path:
    """`pip install critvue-media`: no extras."""
    return make_venv(tmp_path_factory.mktemp("venv") / "small", wheel)


@pytest.fixture(scope="module")
def full_venv(tmp_path_factory, wheel) -> Path:
    """`pip install critvue-media[s3,video,pdq,heic]` plus the host's own database driver and task backend."""
    return make_venv(
        tmp_path_factory.mktemp("venv") / "full",
        wheel,
        extras={"s3", "video", "pdq", "heic"},
        also=("psycopg[binary]", "django-tasks-db"),
    )


class Host:
    """A copy of one host project, run by one venv's python."""

    def __init__(self, name: str, python: Path, where: Path, **env: str):
        self.dir = where / name
        shutil.copytree(HOSTS / name, self.dir)
        self.python = python
        self.env = host_env(**env)
        self.server: subprocess.Popen | None = None
        self.url = ""

    def manage(self, *args: str, check: bool = True, env_extra: dict | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(self.python), "manage.py", *args],
            cwd=self.dir,
            env={**self.env, **(env_extra or {})},
            capture_output=True,
            text=True,
            timeout=180,
        )
        if check:
            assert result.returncode == 0, result.stderr + result.stdout
        return result

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code).stdout.strip()

    def prepare(self, *expected: str) -> None:
        """What a developer does first: check (only the `expected` messages), migrate, no migration left."""
        checked = self.manage("check")
        assert set(re.findall(r"\(([a-z_]+\.[EW]\d{3})\)", checked.stdout + checked.stderr)) == set(expected), checked
        if not expected:
            assert "System check identified no issues" in checked.stdout
        self.manage("migrate", "--noinput")
        assert "No changes detected" in self.manage("makemigrations", "--check", "--dry-run").stdout

    def serve(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = subprocess.Popen(
            [str(self.python), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=self.dir,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/admin/login/", timeout=2)
                return
            except requests.ConnectionError:
                assert self.server.poll() is None, "the host's server exited"
                time.sleep(0.2)
        raise AssertionError("the host's server did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)


@pytest.fixture
def host(tmp_path):
    started: list[Host] = []

    def make(name: str, python: Path, **env: str) -> Host:
        started.append(Host(name, python, tmp_path, **env))
        return started[-1]

    yield make
    for one in started:
        one.stop()


def installed_from(host: Host, venv_python: Path) -> None:
    """The apps come from the venv's site-packages, not from this checkout."""
    paths = host.shell(
        "import mediakit, avatars, persona_media; print(mediakit.__file__, avatars.__file__, persona_media.__file__)"
    ).split()
    venv = str(venv_python.parent.parent)
    assert all(p.startswith(venv) for p in paths), paths


def png_of(jpeg: bytes) -> bytes:
    """The same picture converted to PNG, as a re-uploader would."""
    out = io.BytesIO()
    jpeg_image(jpeg).save(out, "PNG")
    return out.getvalue()


def jpeg_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_avatars_alone_in_a_stock_project(host, small_venv):
    site = host("avatars_only", small_venv)
    installed_from(site, small_venv)
    site.prepare("mediakit.W001")  # no heic extra: HEIC photos are refused, and check says so
    site.shell(
        f"from django.contrib.auth.models import User; User.objects.create_user('ada', 'ada@example.com', '{PASSWORD}')"
    )
    site.serve()
    auth = ("ada", PASSWORD)  # the stock DRF authentication: session, or HTTP Basic
    api = f"{site.url}/api/v1/profile/me/avatar"

    assert requests.get(api, timeout=10).status_code == 401  # no credentials
    assert requests.get(api, auth=auth, timeout=10).json()["code"] == "no_avatar"
    answer = requests.post(api, auth=auth, files={"file": ("me.jpg", photo_jpeg(640, 480), "image/jpeg")}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["avatar_url"] == body["variants"]["medium"] and body["avatar_url"].startswith("/files/avatars/")
    assert body["moderation_status"] == "approved"  # no reviewer installed: live at once
    served = requests.get(site.url + body["variants"]["small"], timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert jpeg_image(served.content).size == (128, 128)
    assert (site.dir / "media" / "avatars").is_dir()  # STORAGES["default"], in its own folder
    rendered = site.shell(
        "from django.contrib.auth.models import User; from django.template import Template, Context; "
        "print(Template('{% load avatars %}[{% avatar_url u \"small\" %}]')"
        ".render(Context({'u': User.objects.get()})))"
    )
    assert rendered == f"[{body['variants']['small']}]"
    refused = requests.post(api, auth=auth, files={"file": ("x.jpg", b"not an image", "image/jpeg")}, timeout=10)
    assert refused.status_code == 400 and refused.json()["code"] == "unsupported_type"
    deleted = requests.delete(api, auth=auth, timeout=10)
    assert deleted.json() == {"message": "Avatar deleted successfully", "files_deleted": 5}
    assert requests.get(site.url + body["variants"]["small"], timeout=10).status_code == 404
    # Nothing of S3 or video is loaded where local files and images are all there is.
    loaded = site.shell(
        "import sys; from django.test import Client; from django.urls import resolve; "
        "resolve('/api/v1/profile/me/avatar'); Client().get('/api/v1/profile/me/avatar'); "
        "print(sorted(m for m in ('boto3', 'botocore', 'av', 'storages.backends.s3') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_persona_media_alone_in_a_stock_project(host, small_venv):
    site = host("media_only", small_venv)
    site.prepare("persona_media.W003", "mediakit.W001")  # no video or heic extra: check says what is refused
    site.shell(
        f"from django.contrib.auth.models import User; User.objects.create_user('bo', 'bo@example.com', '{PASSWORD}')"
    )
    site.serve()
    auth = ("bo", PASSWORD)
    persona = requests.post(f"{site.url}/api/v1/personas", auth=auth, json={"name": "Studio"}, timeout=10)
    assert persona.status_code == 201, persona.text
    pid = persona.json()["id"]
    picture = files.png(320, 200)
    uploaded = requests.post(
        f"{site.url}/upload/persona/{pid}/image",
        auth=auth,
        files={"file": ("pic.png", picture, "image/png")},
        data={"description": "A"},
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    media = uploaded.json()
    listing = requests.get(f"{site.url}/upload/persona/{pid}/files", auth=auth, timeout=10).json()
    assert set(listing) == {"count", "next", "previous", "results"} and listing["count"] == 1
    download = requests.get(f"{site.url}/upload/files/{media['id']}/download", auth=auth, timeout=10)
    assert download.status_code == 200 and download.content == picture
    preview = requests.get(media["preview_url"], timeout=10)  # signed: no credentials
    assert preview.status_code == 200 and jpeg_image(preview.content).size == (320, 200)
    # Without the video extra, a video is refused clearly, storing nothing.
    video = requests.post(
        f"{site.url}/upload/persona/{pid}/video",
        auth=auth,
        files={"file": ("clip.mp4", videos.encode(), "video/mp4")},
        timeout=30,
    )
    assert video.status_code == 400 and video.json()["code"] == "unsupported_type", video.text
    assert "video" in video.json()["detail"]
    stats = requests.get(f"{site.url}/upload/stats", auth=auth, timeout=10).json()
    assert (stats["total_files"], stats["image_count"], stats["video_count"]) == (1, 1, 0)
    assert requests.delete(f"{site.url}/upload/files/{media['id']}", auth=auth, timeout=10).status_code == 204
    assert sorted(p.name for p in (site.dir / "media" / "persona_media").rglob("*") if p.is_file()) == []


@pytest.fixture
def host_database():
    """A fresh PostgreSQL database on the run's server when there is one (make test), else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield {}
        return
    parts = urlsplit(url)
    name = f"critvue_host_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    yield {
        "HOST_DB_NAME": name,
        "HOST_DB_HOST": parts.hostname or "127.0.0.1",
        "HOST_DB_PORT": str(parts.port or 5432),
        "HOST_DB_USER": parts.username or "postgres",
        "HOST_DB_PASSWORD": parts.password or "",
    }
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def admin_session(site: Host, handle: str) -> requests.Session:
    """A staff member logged in to the admin through its login form."""
    session = requests.Session()
    session.get(f"{site.url}/admin/login/", timeout=10)
    answer = session.post(
        f"{site.url}/admin/login/",
        timeout=10,
        data={
            "username": handle,
            "password": PASSWORD,
            "next": "/admin/",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
    )
    assert answer.url.endswith("/admin/"), answer.text[:500]
    return session


def act(session: requests.Session, site: Host, changelist: str, action: str, pk: int, **more: str) -> str:
    answer = session.post(
        f"{site.url}{changelist}",
        timeout=30,
        data={
            "action": action,
            "_selected_action": str(pk),
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            **more,
        },
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.text


def test_all_four_with_a_custom_user_model(host, full_venv, host_database):
    site = host("all_four", full_venv, **host_database)
    installed_from(site, full_venv)
    site.prepare()
    site.shell(f"from people.models import Member; Member.objects.create_user('maker', '{PASSWORD}')")
    # The moderator as deploy/README.md makes one, for a user model known by a handle (no email at all).
    made = site.manage("createmoderator", "judge", "--noinput", env_extra={"DJANGO_MODERATOR_PASSWORD": PASSWORD})
    assert made.stdout.strip() == "judge is a moderator (staff, in Moderators); the account was created."
    site.serve()
    auth = ("maker", PASSWORD)
    api = f"{site.url}/api/v1/profile/me/avatar"

    waiting = requests.post(api, auth=auth, files={"file": ("me.jpg", photo_jpeg(600, 600), "image/jpeg")}, timeout=30)
    assert waiting.status_code == 202, waiting.text  # pre-moderated
    avatar = waiting.json()
    assert avatar["moderation_status"] == "pending" and avatar["avatar_url"].startswith("/avatar-files/")
    assert requests.get(site.url + avatar["avatar_url"], timeout=10).status_code == 404  # not public yet
    waiting = requests.get(api, auth=auth, timeout=10).json()["pending"]  # the owner sees what waits
    assert requests.get(waiting["preview_url"], timeout=10).status_code == 200
    avatar_id = int(site.shell("from avatars.models import Avatar; print(Avatar.objects.get().pk)"))

    judge = admin_session(site, "judge")
    queue = judge.get(f"{site.url}/admin/avatars/avatar/", timeout=10).text
    assert 'value="approve"' in queue and 'value="reject"' in queue and "Avatars waiting for review (1)" in queue
    assert judge.get(f"{site.url}/admin/avatars/avatar/{avatar_id}/image/full/", timeout=10).status_code == 200
    act(judge, site, "/admin/avatars/avatar/", "approve", avatar_id)
    assert requests.get(site.url + avatar["avatar_url"], timeout=10).status_code == 200  # approved: public
    assert requests.get(api, auth=auth, timeout=10).json()["avatar_url"] == avatar["avatar_url"]

    # Another member reports it (moderation.urls); the judge rejects it from the reports queue, blocking the picture.
    site.shell(f"from people.models import Member; Member.objects.create_user('witness', '{PASSWORD}')")
    maker_id = int(site.shell("from people.models import Member; print(Member.objects.get(handle='maker').pk)"))
    reported = requests.post(
        f"{site.url}/api/v1/reports",
        auth=("witness", PASSWORD),
        timeout=10,
        json={"kind": "avatar", "user_id": maker_id, "reason": "Not them"},
    )
    assert reported.status_code == 201, reported.text
    act(
        judge,
        site,
        "/admin/moderation/report/",
        "reject_items",
        reported.json()["id"],
        apply="1",
        preset="Impersonates someone else",
        block="on",
    )
    again = requests.post(
        api,
        auth=("witness", PASSWORD),
        timeout=30,
        files={"file": ("me.png", png_of(photo_jpeg(600, 600)), "image/png")},
    )
    assert again.status_code == 400 and again.json()["code"] == "blocked_content", again.text  # PDQ: [pdq] extra

    persona = requests.post(f"{site.url}/api/v1/personas", auth=auth, json={"name": "Band"}, timeout=10).json()
    clip = videos.encode()
    video = requests.post(
        f"{site.url}/upload/persona/{persona['id']}/video",
        auth=auth,
        files={"file": ("clip.mp4", clip, "video/mp4")},
        timeout=60,
    )
    assert video.status_code == 201, video.text
    media = video.json()
    page = act(judge, site, "/admin/persona_media/mediafile/", "reject", media["id"])
    assert "Reject this media file: why?" in page
    act(
        judge,
        site,
        "/admin/persona_media/mediafile/",
        "reject",
        media["id"],
        apply="1",
        preset="Spam or advertising",
        details="",
    )
    gone = requests.get(f"{site.url}/upload/files/{media['id']}/download", auth=auth, timeout=10)
    assert gone.status_code == 410 and gone.json()["code"] == "moderation_rejected"

    # A phone's HEVC MOV waits for the host's worker (django-tasks-db, as README.md shows), then plays anywhere.
    mov = requests.post(
        f"{site.url}/upload/persona/{persona['id']}/video",
        auth=auth,
        files={"file": ("IMG_0001.MOV", phone.hevc_mov(), "video/quicktime")},
        timeout=60,
    )
    assert mov.status_code == 202 and mov.json()["processing_status"] == "queued", mov.text
    waiting = requests.get(f"{site.url}/upload/files/{mov.json()['id']}/download", auth=auth, timeout=10)
    assert waiting.status_code == 409 and waiting.json()["code"] == "not_ready"
    site.manage("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    done = requests.get(f"{site.url}/upload/files/{mov.json()['id']}", auth=auth, timeout=10).json()
    assert (done["processing_status"], done["mime_type"], done["video_codec"]) == ("ready", "video/mp4", "h264"), done
    played = requests.get(f"{site.url}/upload/files/{mov.json()['id']}/download", auth=auth, timeout=30)
    assert played.status_code == 200 and played.content[4:8] == b"ftyp"
    with av.open(io.BytesIO(played.content)) as converted:
        assert converted.streams.video[0].codec_context.name == "h264"
    assert site.manage("requeue_media_jobs", "--dry-run").stdout.strip() == "would queue again 0 media conversion(s)"

    act(
        judge,
        site,
        "/admin/people/member/",
        "suspend_uploads",
        int(site.shell("from people.models import Member; print(Member.objects.get(handle='maker').pk)")),
        apply="1",
        details="Spam",
    )
    refused = requests.post(api, auth=auth, files={"file": ("me.jpg", photo_jpeg(300, 300), "image/jpeg")}, timeout=30)
    assert refused.status_code == 403 and refused.json()["code"] == "uploads_suspended"
    events = site.shell(
        "from moderation.models import ModerationEvent; "
        "print(*ModerationEvent.objects.order_by('id').values_list('action', 'owner_email', "
        "'moderator_email'))"
    )
    assert events == (
        "('approve', 'maker', 'judge') ('reject', 'maker', 'judge') ('block', 'maker', 'judge') "
        "('reject', 'maker', 'judge') ('suspend', 'maker', 'judge')"
    )
