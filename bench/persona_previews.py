"""Benchmark persona media uploads with previews against the same uploads storing only.

Run from the repository root:  .venv/bin/python -m bench.persona_previews [--runs N]

Inputs, made deterministically: a 10 MiB JPEG (testkit's photo-like 4000x3000 picture at quality
100, 4:4:4: 9.8 MiB) and a 10 MiB H.264 MP4 (bench.media_common.bench_video: 320x240 lossless noise,
a real stream of ~10 MiB, not padding).

In-process, on the same TemporaryUploadedFile (a file on disk, as Django spools a 10 MiB upload):
- with previews: persona_media.services.media_create: SHA-256, quota/duplicate check, inspection
  (image: header check, strict decode, ≤640 px preview, BlurHash; video: box check, FFmpeg probe and
  poster in a child process, preview, BlurHash), storage of file and preview, row insert;
- checked store: media_create with no preview made: SHA-256, the same room checks (quota,
  duplicates) before and under the same locks, the checks API.md
  requires of every upload whatever it stores (image: header and dimensions, every block of the
  image decoded strictly — mediakit.integrity.check_intact, at 1/8 scale for a JPEG; video: box
  check, and FFmpeg's probe of the streams and first frames in the sandboxed child), storage save,
  row insert. This is the goal's baseline: a file cannot be stored without these checks, and the
  preview is what comes on top of them;
- bare store:    SHA-256 + storage save + row insert (no check at all: what storing alone costs);
- preview alone: persona_media.validation.inspect_upload on the same file.
Runs are interleaved, each created row is deleted (with its files) outside the timed part, medians
of wall time are reported (the video's probe runs in another process, so this process's CPU time
would leave it out). Goal: with previews ≤ 1.3x the checked store.

Over HTTP (gunicorn, 1 sync worker, the project's gunicorn.conf.py): the upload with previews beside
a parse-only request of the same body (POST /api/v1/personas, refused after Django parsed it) plus
the in-process checked-store time, as the checked store over HTTP (there is no store-only
endpoint: the estimate leaves out authentication, the response and the request's queries, so it
flatters the baseline); the worker's RSS before, its peak growth during, and its growth after a
series of such uploads (sampled every 2 ms; each upload's row and files deleted between).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.live import PROJECT_CONFIG, free_port, gunicorn, migrate, multipart, request, server_env
from bench.media_common import LIMIT, MIB, PeakRss, bench_video
from testkit import images

TARGET = 1.3
HTTP_UPLOADS = 4  # per kind, after one warm-up


def big_jpeg() -> bytes:
    data = images.encode(images.photo(4000, 3000), "JPEG", quality=100, subsampling=0)
    assert len(data) <= LIMIT, len(data)
    return data


def spooled(data: bytes, name: str, content_type: str):
    """A TemporaryUploadedFile holding `data`, as Django's upload handler leaves a large upload (closes
    itself when used as a context manager; a moved file is then already gone)."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    upload = TemporaryUploadedFile(name, content_type, len(data), None)
    upload.write(data)
    upload.flush()
    upload.seek(0)
    return upload


class Uploads:
    """The three ways of handling one upload, as one persona's owner."""

    def __init__(self, persona) -> None:
        self.persona, self.user = persona, persona.user

    def with_previews(self, upload, kind: str):
        from persona_media.services import media_create

        upload.seek(0)
        return media_create(user=self.user, persona=self.persona, upload=upload, media_type=kind)

    def checked_store(self, upload, kind: str):
        """media_create without the preview: the same room checks, locks and row, and every check an
        upload must pass before it may be stored."""
        from mediakit import imaging, integrity, video
        from persona_media import mp4
        from persona_media.services import check_room, sha256_of
        from persona_media.validation import IMAGE_LIMITS, on_disk

        upload.seek(0)
        checksum = sha256_of(upload)
        check_room(user=self.user, persona=self.persona, size=upload.size, checksum=checksum)
        upload.seek(0)
        if kind == "image":
            fmt = imaging.sniff_format(upload)
            with imaging.refusing_unreadable(), imaging.open_image(upload, fmt, IMAGE_LIMITS):
                integrity.check_intact(upload, fmt)
        else:
            assert mp4.read_movie(upload).has_video
            with on_disk(upload) as path:
                video.probe(path)
        return self._store(upload, kind, checksum, as_media_create=True)

    def store_only(self, upload, kind: str):
        from persona_media.services import sha256_of

        upload.seek(0)
        return self._store(upload, kind, sha256_of(upload), as_media_create=False)

    def _store(self, upload, kind: str, checksum: str, *, as_media_create: bool):
        """The file saved and its row inserted; as media_create does it (under the owner's and the
        persona's locks, the room checked again) or bare."""
        from django.contrib.auth import get_user_model
        from django.db import transaction

        from mediakit.files import WrittenFiles
        from persona_media import conf
        from persona_media.models import MediaFile, Persona
        from persona_media.services import check_room

        ext = upload.name.rsplit(".", 1)[-1]
        with WrittenFiles(conf.storage()) as written:
            name = written.save(f"{self.user.pk}/{self.persona.pk}/{uuid.uuid4().hex}.{ext}", upload)
            with transaction.atomic():
                if as_media_create:
                    get_user_model().objects.select_for_update().filter(pk=self.user.pk).exists()
                    Persona.objects.select_for_update().owned_by(self.user).get(pk=self.persona.pk)
                    check_room(user=self.user, persona=self.persona, size=upload.size, checksum=checksum)
                return MediaFile.objects.create(
                    user=self.user,
                    persona=self.persona,
                    filename=name.rsplit("/", 1)[-1],
                    stored_name=name,
                    original_filename=upload.name,
                    size_bytes=upload.size,
                    mime_type=upload.content_type,
                    media_type=kind,
                    sha256=checksum,
                )

    def preview_only(self, upload, kind: str):
        from persona_media.services import upload_rules
        from persona_media.validation import inspect_upload

        upload.seek(0)
        inspect_upload(upload, filename=upload.name, media_type=kind, rules=upload_rules())


def in_process(uploads: Uploads, files: dict[str, tuple[bytes, str, str]], runs: int) -> dict[str, dict[str, float]]:
    """Median wall ms per (kind, way), runs interleaved; each call gets a freshly spooled upload (local
    storage moves a TemporaryUploadedFile into place, as in a real request); created rows are deleted untimed."""
    from persona_media.models import MediaFile
    from persona_media.services import media_delete

    ways = {
        "previews": uploads.with_previews,
        "checked": uploads.checked_store,
        "store": uploads.store_only,
        "preview": uploads.preview_only,
    }
    found: dict[str, dict[str, list[float]]] = {kind: {way: [] for way in ways} for kind in files}
    for i in range(runs + 1):  # the first round is a warm-up (fork server, imports)
        for kind, spec in files.items():
            for way, call in ways.items():
                with spooled(*spec) as upload:
                    began = time.perf_counter()
                    created = call(upload, kind)
                    took = (time.perf_counter() - began) * 1000
                if isinstance(created, MediaFile):
                    media_delete(media=created)
                if i:
                    found[kind][way].append(took)
    return {kind: {way: statistics.median(t) for way, t in ways_.items()} for kind, ways_ in found.items()}


def over_http(env: dict[str, str], persona, data: dict[str, bytes]) -> dict[str, dict[str, float]]:
    """Worker RSS around uploads with previews over HTTP (each upload's row deleted between)."""
    from rest_framework_simplejwt.tokens import AccessToken

    from persona_media.models import MediaFile
    from persona_media.services import media_delete

    auth = {"Authorization": f"Bearer {AccessToken.for_user(persona.user)}"}
    port = free_port()
    found: dict[str, dict[str, float]] = {}
    with gunicorn(env, port, PROJECT_CONFIG) as worker:
        for kind, body in data.items():
            name, mime = ("photo.jpg", "image/jpeg") if kind == "image" else ("clip.mp4", "video/mp4")

            def upload() -> float:
                parts, form = multipart(body, name, mime)
                began = time.perf_counter()
                status, answer = request(port, "POST", f"/upload/persona/{persona.pk}/{kind}", parts, {**auth, **form})
                took = time.perf_counter() - began
                assert status == 201, (status, answer[:300])
                for media in MediaFile.objects.filter(persona=persona):
                    media_delete(media=media)
                return took

            def parse_only() -> float:  # the body through gunicorn and Django's multipart parser, no app code
                parts, form = multipart(body, name, mime)
                began = time.perf_counter()
                status, answer = request(port, "POST", "/api/v1/personas", parts, {**auth, **form})
                assert status == 400, (status, answer[:300])  # parsed in full, refused for want of a name
                return time.perf_counter() - began

            upload(), parse_only()  # warm-up
            time.sleep(0.2)
            before = worker.memory_info().rss
            peaks, took, floor = [], [], []
            for _ in range(HTTP_UPLOADS):
                floor.append(parse_only())
                with PeakRss(worker) as rss:
                    took.append(upload())
                peaks.append(rss.growth_mib)
            time.sleep(0.2)
            found[kind] = {
                "before": before / MIB,
                "peak": max(peaks),
                "after": (worker.memory_info().rss - before) / MIB,
                "ms": statistics.median(took) * 1000,
                "floor_ms": statistics.median(floor) * 1000,
            }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per way (median, default 9)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP/RSS part")
    args = parser.parse_args()
    data = {"image": big_jpeg(), "video": bench_video()}
    with tempfile.TemporaryDirectory(prefix="bench-persona-previews-") as tmp:
        env = server_env(Path(tmp))
        os.environ.update(
            {
                key: env[key]
                for key in (
                    "DJANGO_SETTINGS_MODULE",
                    "CRITVUE_ENV_FILE",
                    "DATABASE_URL",
                    "SECRET_KEY",
                    "PERSONA_MEDIA_STORAGE_PATH",
                )
            }
        )
        migrate(env)
        import django

        django.setup()
        from accounts.models import User
        from persona_media.models import Persona

        user = User.objects.create_user(email=f"bench-{secrets.token_hex(4)}@example.com")
        persona = Persona.objects.create(user=user, name="bench")
        files = {"image": (data["image"], "photo.jpg", "image/jpeg"), "video": (data["video"], "clip.mp4", "video/mp4")}
        try:
            ms = in_process(Uploads(persona), files, args.runs)
            rss = {} if args.no_http else over_http(env, persona, data)
        finally:
            user.delete()
    print(
        f"persona media, in-process on a spooled upload, median wall ms of {args.runs} interleaved runs "
        f"(database {env['DATABASE_URL'].split(':', 1)[0]}, local storage)"
    )
    print(
        f"{'input':34} {'previews ms':>11} {'checked store ms':>16} {'ratio':>6} {'bare store ms':>13} "
        f"{'ratio':>6} {'preview ms':>10}  goal: previews ≤{TARGET}x checked store"
    )
    for kind, label in (
        ("image", f"JPEG 4000x3000 q100 ({len(data['image']) / MIB:.1f} MiB)"),
        ("video", f"H.264 MP4 320x240 ({len(data['video']) / MIB:.1f} MiB)"),
    ):
        m = ms[kind]
        ratio = m["previews"] / m["checked"]
        print(
            f"{label:34} {m['previews']:>11.1f} {m['checked']:>16.1f} {ratio:>5.2f}x {m['store']:>13.1f} "
            f"{m['previews'] / m['store']:>5.2f}x {m['preview']:>10.1f}  {'ok' if ratio <= TARGET else 'MISSED'}"
        )
    if rss:
        print(
            f"\nover HTTP, gunicorn 1 sync worker (project gunicorn.conf.py), {HTTP_UPLOADS} uploads per kind "
            "after a warm-up; worker RSS in MiB"
        )
        print(
            f"{'input':6} {'upload ms':>9} {'parse-only':>10} {'checked store est.':>18} {'ratio':>6} "
            f"{'bare store est.':>15} {'ratio':>6} {'RSS before':>10} {'peak growth':>11} {'growth after':>12}  "
            f"goal: ≤{TARGET}x checked store"
        )
        for kind, r in rss.items():
            checked, bare = r["floor_ms"] + ms[kind]["checked"], r["floor_ms"] + ms[kind]["store"]
            print(
                f"{kind:6} {r['ms']:>9.1f} {r['floor_ms']:>10.1f} {checked:>18.1f} {r['ms'] / checked:>5.2f}x "
                f"{bare:>15.1f} {r['ms'] / bare:>5.2f}x {r['before']:>10.1f} {r['peak']:>11.2f} {r['after']:>12.2f}  "
                f"{'ok' if r['ms'] / checked <= TARGET else 'MISSED'}"
            )
        print(
            "  est.: the parse-only request (same body, refused after Django parsed it) plus the in-process "
            "time; ratio: upload with previews / that"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
