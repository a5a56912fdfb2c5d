"""Benchmark GET /api/v1/profile/me/export over real HTTP: worker memory while a 100 MiB export streams.

Run from the repository root:  .venv/bin/python -m bench.export
(`make bench` runs it with PostgreSQL and Redis from scripts/services.py; run directly, it uses a
temporary SQLite file.)

It starts gunicorn (1 sync worker, the project's gunicorn.conf.py) on a free loopback port, gives one
user 10 media files of 10 MiB of incompressible bytes (100 MiB; rows inserted directly, since the
upload limit is 10 MiB a file and uploads are not what is measured), and another user one 100 MiB
media file. Then, once on local storage and once on an S3 server (moto, on loopback):

- export:    peak RSS growth of the worker above its idle RSS (sampled every 2 ms) while the 100 MiB
             export is downloaded, and its throughput; target < 32 MiB;
- baseline:  the same figures for downloading the single 100 MiB media file, in the same run.
"""

from __future__ import annotations

import io
import logging
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import zipfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.live import PROJECT_CONFIG, ROOT, free_port, gunicorn, migrate, request, server_env
from bench.media_common import MIB, PeakRss, timed

FILES = 10
FILE_SIZE = 10 * MIB  # the upload limit: 10 of them make the 100 MiB export
TARGET_MIB = 32.0
RUNS = 3


def noise(seed: int, size: int) -> bytes:
    """Deterministic incompressible bytes."""
    return random.Random(seed).randbytes(size)


@contextmanager
def s3_server():
    """A moto S3 server on loopback with a fresh bucket; yields the environment that points both storages at it."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto logs every request it serves

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint, bucket = f"http://127.0.0.1:{port}", f"bench-export-{secrets.token_hex(4)}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            region_name="us-east-1",
        ).create_bucket(Bucket=bucket)
        yield {
            "MEDIA_STORAGE_TYPE": "cloud",
            "AVATAR_STORAGE_TYPE": "cloud",
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
        }
    finally:
        server.stop()


def reload_storages() -> None:
    """Make this process's Django storages follow the environment just changed (as a new process would)."""
    import importlib

    from django.conf import settings
    from django.core.files.storage import storages

    import critvue.settings as project

    importlib.reload(project)
    for name in dir(project):  # STORAGES and the AWS_* settings django-storages reads
        if name.startswith(("STORAGES", "AWS_", "MEDIA_STORAGE", "AVATAR_STORAGE")):
            setattr(settings, name, getattr(project, name))
    storages.__dict__.pop("backends", None)
    storages._backends, storages._storages = None, {}


def add_media(user, persona, blobs: list[bytes]) -> list:
    """Store the blobs in the media storage and record them as the user's media files."""
    from persona_media import conf
    from persona_media.models import MediaFile

    rows = []
    for n, blob in enumerate(blobs):
        filename = f"{secrets.token_hex(16)}.bin"
        # Where media_create stores a file: {user}/{persona}/{name}.
        name = conf.storage().save(f"{user.pk}/{persona.pk}/{filename}", io.BytesIO(blob))
        rows.append(
            MediaFile(
                user=user,
                persona=persona,
                filename=filename,
                stored_name=name,
                original_filename=f"bench-{n}.mp4",
                size_bytes=len(blob),
                mime_type="video/mp4",
                media_type="video",
                sha256="0" * 64,
            )
        )
    return MediaFile.objects.bulk_create(rows)


def make_users():
    """The exporting user (10 × 10 MiB) and the baseline user (one 100 MiB file)."""
    from accounts.models import User
    from persona_media.models import Persona

    blobs = [noise(n, FILE_SIZE) for n in range(FILES)]
    exporter = User.objects.create_user(email=f"bench-export-{secrets.token_hex(4)}@example.com")
    add_media(exporter, Persona.objects.create(user=exporter, name="bench export"), blobs)
    single = User.objects.create_user(email=f"bench-single-{secrets.token_hex(4)}@example.com")
    (big,) = add_media(single, Persona.objects.create(user=single, name="bench single"), [b"".join(blobs)])
    return exporter, single, big, blobs


def check_export(port: int, auth: dict, blobs: list[bytes]) -> int:
    """Download the export once in full and check every member's bytes; returns its length."""
    status, body = request(port, "GET", "/api/v1/profile/me/export", headers=auth)
    assert status == 200, (status, body[:300])
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        media = sorted(
            (n for n in archive.namelist() if n.startswith("media/")), key=lambda n: int(n.split("/")[2].split("-")[0])
        )
        assert [archive.read(n) for n in media] == blobs, "the export's bytes differ from the stored files"
    return len(body)


def measure(env: dict[str, str], label: str) -> dict:
    """Export and baseline download on one storage: RSS growth and seconds per run."""
    from rest_framework_simplejwt.tokens import AccessToken

    exporter, single, big, blobs = make_users()
    export_auth = {"Authorization": f"Bearer {AccessToken.for_user(exporter)}"}
    single_auth = {"Authorization": f"Bearer {AccessToken.for_user(single)}"}
    port = free_port()
    found: dict = {"label": label, "export_mib": [], "download_mib": [], "export_s": [], "download_s": []}

    def export() -> None:
        assert request(port, "GET", "/api/v1/profile/me/export", headers=export_auth, sink=True)[0] == 200

    def download() -> None:
        assert request(port, "GET", f"/upload/files/{big.pk}/download", headers=single_auth, sink=True)[0] == 200

    with gunicorn(env, port, PROJECT_CONFIG) as worker:
        found["export_bytes"] = check_export(port, export_auth, blobs)  # also the warm-up
        download()
        for _ in range(RUNS):
            for key, call in (("export", export), ("download", download)):
                with PeakRss(worker) as rss:
                    found[f"{key}_s"].append(timed(call))
                found[f"{key}_mib"].append(rss.growth_mib)
    exporter.delete()
    single.delete()
    return found


def report(results: list[dict], seconds: float) -> None:
    print(
        f"GET /api/v1/profile/me/export: gunicorn 1 sync worker (project gunicorn.conf.py); export of "
        f"{FILES} media files × {FILE_SIZE // MIB} MiB; RSS sampled every 2 ms, max of {RUNS} runs; "
        f"speeds medians of {RUNS}"
    )
    rows = []
    for found in results:
        export, download = max(found["export_mib"]), max(found["download_mib"])
        export_speed = found["export_bytes"] / MIB / statistics.median(found["export_s"])
        download_speed = FILES * FILE_SIZE / MIB / statistics.median(found["download_s"])
        rows += [
            (
                f"{found['label']}: export worker peak RSS growth",
                f"{export:.2f} MiB",
                f"download of 1 × 100 MiB {download:.2f} MiB",
                "ok" if export < TARGET_MIB else "OVER",
            ),
            (
                f"{found['label']}: export throughput",
                f"{export_speed:.0f} MiB/s",
                f"download {download_speed:.0f} MiB/s",
                f"{export_speed / download_speed:.2f}x",
            ),
        ]
    width = max(len(row[0]) for row in rows)
    print(f"{'figure':<{width}}  {'value':>12}  {'baseline':<34}  target < {TARGET_MIB:.0f} MiB / ratio")
    for name, value, baseline, verdict in rows:
        print(f"{name:<{width}}  {value:>12}  {baseline:<34}  {verdict}")
    runs = "; ".join(
        f"{f['label']} export {', '.join(f'{g:.2f}' for g in f['export_mib'])}, download "
        f"{', '.join(f'{g:.2f}' for g in f['download_mib'])}"
        for f in results
    )
    print(
        f"(RSS growth per run, MiB: {runs}. Export size {results[0]['export_bytes'] / MIB:.2f} MiB. "
        f"Total {seconds:.0f} s.)"
    )


def main() -> int:
    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
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
                    "AVATAR_STORAGE_PATH",
                    "MEDIA_STORAGE_TYPE",
                )
            }
        )
        migrate(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        results.append(measure(env, "local"))
        with ExitStack() as stack:
            cloud = stack.enter_context(s3_server())
            os.environ.update(cloud)
            reload_storages()
            results.append(measure({**env, **cloud}, "S3"))
    report(results, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
