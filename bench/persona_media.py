"""Benchmark persona media over real HTTP: memory while streaming, download speed, stats at scale.

Run from the repository root:  .venv/bin/python -m bench.persona_media
(`make bench` runs it with PostgreSQL and Redis from scripts/services.py; run directly, it uses a
temporary SQLite file.)

It starts gunicorn (1 sync worker) on a free loopback port with temporary storage folders, and:

- memory:  peak RSS growth of the worker above its idle RSS, sampled every 2 ms with psutil, while
           uploading and while downloading a real H.264 MP4 padded to just under the 10 MiB limit
           (target: < 2 MiB, i.e. streamed, not buffered);
- speed:   download throughput over loopback beside reading the same stored file from disk
           (64 KiB reads, page cache warm) in the same run;
- stats:   GET /upload/stats with 10 and with 100,000 media rows (bulk-inserted), median of N, and
           the SQL queries the statistics take at 100,000 rows (target: one).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.live import (
    DEFAULTS_CONFIG,
    PROJECT_CONFIG,
    ROOT,
    free_port,
    gunicorn,
    migrate,
    multipart,
    request,
    server_env,
    serving,
)
from bench.media_common import MIB, VIDEO_SIZE, PeakRss, bench_video, timed

MEMORY_TARGET_MIB = 2.0
BIG_ROWS = 100_000
DOWNLOAD_RUNS = 15
STATS_RUNS = 15


# --- the server ------------------------------------------------------------------------------------------


def plain_http_server(folder: Path, port: int):
    """python -m http.server on the storage folder: HTTP over loopback with no app, auth or database."""
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)]
    return serving(
        command,
        dict(os.environ),
        lambda: socket.create_connection(("127.0.0.1", port)).close() or True,
        "http.server",
        quiet=True,
    )


# --- measuring -------------------------------------------------------------------------------------------


def disk_read_seconds(path: Path) -> float:
    """Reading the stored file in 64 KiB pieces, as the download does (page cache warm)."""
    started = time.perf_counter()
    with open(path, "rb") as fh:
        while fh.read(64 * 1024):
            pass
    return time.perf_counter() - started


def add_rows(user, persona_count: int, rows: int) -> None:
    """Bulk-insert media rows (no files) spread over new personas of `user`."""
    from persona_media.models import MediaFile, Persona

    personas = [Persona.objects.create(user=user, name=f"bench {i}") for i in range(persona_count)]
    MediaFile.objects.bulk_create(
        (
            MediaFile(
                user=user,
                persona=personas[i % persona_count],
                filename=f"{i:032x}.jpg",
                stored_name=f"bench/{user.pk}/{i}",
                original_filename="bench.jpg",
                size_bytes=1000 + i,
                mime_type="image/jpeg",
                media_type="image" if i % 3 else "video",
                sha256="0" * 64,
            )
            for i in range(rows)
        ),
        batch_size=5000,
    )


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would soon have
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE persona_media_mediafile; ANALYZE persona_media_persona")


def stats_ms(port: int, user) -> float:
    """Median time of GET /upload/stats as `user`, after one warm-up request."""
    from rest_framework_simplejwt.tokens import AccessToken

    headers = {"Authorization": f"Bearer {AccessToken.for_user(user)}"}
    request(port, "GET", "/upload/stats", headers=headers)
    return (
        statistics.median(
            timed(lambda: request(port, "GET", "/upload/stats", headers=headers)) for _ in range(STATS_RUNS)
        )
        * 1000
    )


class Client:
    """The benchmark's requests as one persona's owner: uploads, the parse-only floor, downloads."""

    def __init__(self, port: int, video: bytes, persona) -> None:
        from rest_framework_simplejwt.tokens import AccessToken

        self.port, self.video, self.persona = port, video, persona
        self.auth = {"Authorization": f"Bearer {AccessToken.for_user(persona.user)}"}

    def post(self, path: str, expected: int) -> bytes:
        parts, headers = multipart(self.video, "bench.mp4", "video/mp4")
        # Each upload ends its trailing `free` box with a count of its own: the same bytes twice in a
        # persona are refused as duplicate_file. (A copy of the last 64 KiB piece only.)
        self.count = getattr(self, "count", 0) + 1
        last = bytearray(parts[-2])
        last[-8:] = self.count.to_bytes(8, "big")
        parts[-2] = bytes(last)
        status, body = request(self.port, "POST", path, parts, {**self.auth, **headers})
        assert status == expected, (status, body[:300])
        return body

    def upload(self) -> dict:
        return json.loads(self.post(f"/upload/persona/{self.persona.pk}/video", 201))

    def parse_only(self) -> None:
        """The floor: the same body through gunicorn and Django's multipart parser, no app code."""
        self.post("/api/v1/personas", 400)  # parsed in full, then refused for want of a name

    def download(self, path: str, port: int | None = None) -> None:
        status, _ = request(port or self.port, "GET", path, headers=self.auth, sink=True)
        assert status == 200, status


def measure_streaming(client: Client, worker: psutil.Process, storage: Path) -> dict:
    """RSS growth and speed of uploads and downloads, each beside its floor."""
    media = client.upload()  # warm-up: imports, temp-file spooling, the first connection
    url = f"/upload/files/{media['id']}/download"
    client.download(url)
    client.parse_only()
    found = {key: [] for key in ("floor_mib", "upload_mib", "download_mib", "floor_s", "upload_s")}
    for _ in range(3):
        with PeakRss(worker) as rss:
            found["floor_s"].append(timed(client.parse_only))
        found["floor_mib"].append(rss.growth_mib)
        with PeakRss(worker) as rss:
            found["upload_s"].append(timed(client.upload))
        found["upload_mib"].append(rss.growth_mib)
        with PeakRss(worker) as rss:
            client.download(url)
        found["download_mib"].append(rss.growth_mib)
    found["http_s"] = [timed(lambda: client.download(url)) for _ in range(DOWNLOAD_RUNS)]
    stored = storage / str(client.persona.user_id) / str(client.persona.pk) / media["filename"]
    found["disk_s"] = [disk_read_seconds(stored) for _ in range(DOWNLOAD_RUNS)]
    plain_port = free_port()
    with plain_http_server(stored.parent, plain_port):
        client.download(f"/{stored.name}", plain_port)
        found["plain_s"] = [timed(lambda: client.download(f"/{stored.name}", plain_port)) for _ in range(DOWNLOAD_RUNS)]
    return found


def upload_growth_with_small_recv(client: Client, env: dict[str, str]) -> list[float]:
    """Upload RSS growth once more, on gunicorn with the project's config (body read-ahead capped at 64 KiB)."""
    client.port = free_port()
    with gunicorn(env, client.port, PROJECT_CONFIG) as worker:
        client.upload()
        growth = []
        for _ in range(3):
            with PeakRss(worker) as rss:
                client.upload()
            growth.append(rss.growth_mib)
    return growth


def measure_stats(port: int) -> dict:
    """GET /upload/stats for a user with 10 rows, for one with 100,000, and for the first again."""
    from accounts.models import User

    small = User.objects.create_user(email=f"bench-small-{secrets.token_hex(4)}@example.com")
    add_rows(small, 2, 10)
    analyze()
    found = {"small_ms": stats_ms(port, small)}
    big = User.objects.create_user(email=f"bench-big-{secrets.token_hex(4)}@example.com")
    add_rows(big, 20, BIG_ROWS)
    analyze()
    found.update(big_ms=stats_ms(port, big), small_among_big_ms=stats_ms(port, small), big_queries=stats_queries(big))
    return found


def stats_queries(user) -> int:
    """How many SQL queries the statistics of `user` take (in this process, as the view runs them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from persona_media.services import media_stats

    with CaptureQueriesContext(connection) as queries:
        media_stats(user=user)
    return len(queries)


def remove_bench_rows() -> None:
    """Leave the database as found: bench users and their rows (with raw SQL, no per-row signals)."""
    from django.db import connection

    from accounts.models import User

    users = [int(pk) for pk in User.objects.filter(email__startswith="bench-").values_list("pk", flat=True)]
    if users:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM persona_media_mediafile WHERE user_id IN ({','.join(map(str, users))})")
        User.objects.filter(pk__in=users).delete()


def report(found: dict, env: dict[str, str], seconds: float) -> None:
    """The table: each figure beside its baseline and the ratio of the two."""

    def speed(key: str) -> float:
        return VIDEO_SIZE / MIB / statistics.median(found[key])

    up, floor, down = max(found["upload_mib"]), max(found["floor_mib"]), max(found["download_mib"])
    http, small = speed("http_s"), found["small_ms"]
    small_recv = max(found["small_recv_mib"])
    rows = [
        (
            "upload: worker peak RSS growth (gunicorn defaults)",
            f"{up:.2f} MiB",
            f"parse-only floor {floor:.2f} MiB",
            f"{up / floor:.2f}x",
        ),
        (
            "  the same, project gunicorn.conf.py",
            f"{small_recv:.2f} MiB",
            f"target < {MEMORY_TARGET_MIB:.0f} MiB",
            "ok" if small_recv < MEMORY_TARGET_MIB else "OVER",
        ),
        (
            "download: worker peak RSS growth",
            f"{down:.2f} MiB",
            f"target < {MEMORY_TARGET_MIB:.0f} MiB",
            "ok" if down < MEMORY_TARGET_MIB else "OVER",
        ),
        (
            "upload throughput (checked, stored)",
            f"{speed('upload_s'):.0f} MiB/s",
            f"parse-only floor {speed('floor_s'):.0f} MiB/s",
            f"{speed('upload_s') / speed('floor_s'):.2f}x",
        ),
        (
            "download throughput (HTTP)",
            f"{http:.0f} MiB/s",
            f"disk read {speed('disk_s'):.0f} MiB/s",
            f"{http / speed('disk_s'):.2f}x",
        ),
        ("", "", f"python -m http.server {speed('plain_s'):.0f} MiB/s", f"{http / speed('plain_s'):.2f}x"),
        ("GET /upload/stats, 10 rows", f"{small:.1f} ms", "", ""),
        (
            f"GET /upload/stats, {BIG_ROWS:,} rows",
            f"{found['big_ms']:.1f} ms",
            f"10 rows {small:.1f} ms",
            f"{found['big_ms'] / small:.1f}x",
        ),
        (
            f"statistics at {BIG_ROWS:,} rows: SQL queries",
            str(found["big_queries"]),
            "target 1",
            "ok" if found["big_queries"] == 1 else "MISSED",
        ),
        (
            f"GET /upload/stats, 10 rows among {BIG_ROWS:,}",
            f"{found['small_among_big_ms']:.1f} ms",
            f"10 rows alone {small:.1f} ms",
            f"{found['small_among_big_ms'] / small:.1f}x",
        ),
    ]
    vendor = "PostgreSQL" if env["DATABASE_URL"].startswith(("postgres", "pgsql")) else "SQLite"
    print(
        f"persona_media over HTTP: gunicorn 1 sync worker, {vendor} (CONN_MAX_AGE={env['CONN_MAX_AGE']}), "
        f"video {VIDEO_SIZE / MIB:.2f} MiB; RSS sampled every {PeakRss.SAMPLE_SECONDS * 1000:.0f} ms (max of 3 runs); "
        f"speeds medians of {DOWNLOAD_RUNS}, stats medians of {STATS_RUNS}"
    )
    width = max(len(row[0]) for row in rows)
    print(f"{'figure':<{width}}  {'value':>12}  {'baseline':<32}  ratio")
    for name, value, baseline, ratio in rows:
        print(f"{name:<{width}}  {value:>12}  {baseline:<32}  {ratio}")
    runs = "; ".join(
        f"{label} {', '.join(f'{g:.2f}' for g in found[key])}"
        for label, key in (
            ("upload", "upload_mib"),
            ("parse-only floor", "floor_mib"),
            ("download", "download_mib"),
            ("upload, small recv", "small_recv_mib"),
        )
    )
    print(f"(RSS growth per run, MiB: {runs}. Total {seconds:.0f} s.)")
    if up >= MEMORY_TARGET_MIB:
        print(
            f"note: the upload is over the {MEMORY_TARGET_MIB:.0f} MiB target, and so is the parse-only floor: "
            "gunicorn reads a known-length body up to 1 MiB per recv() and copies it through BytesIO buffers "
            "before Django sees it. With the project's gunicorn.conf.py, which caps that read-ahead at 64 KiB "
            "(second row), the growth is what the app adds; the file goes to a temp file in 64 KiB chunks "
            "and is never held whole in memory."
        )


def main() -> int:
    started = time.monotonic()
    video = bench_video()
    with tempfile.TemporaryDirectory(prefix="bench-persona-media-") as tmp:
        workdir = Path(tmp)
        env = server_env(workdir)
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
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from accounts.models import User
        from persona_media.models import Persona

        user = User.objects.create_user(email=f"bench-{secrets.token_hex(4)}@example.com")
        persona = Persona.objects.create(user=user, name="bench")
        port = free_port()
        client = Client(port, video, persona)
        try:
            with gunicorn(env, port, DEFAULTS_CONFIG) as worker:
                found = measure_streaming(client, worker, workdir / "persona_media")
                found.update(measure_stats(port))
            found["small_recv_mib"] = upload_growth_with_small_recv(client, env)
        finally:
            remove_bench_rows()
    report(found, env, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
