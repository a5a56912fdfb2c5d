"""Benchmark a whole avatar upload over HTTP against the share of it that is image processing.

Run from the repository root:  .venv/bin/python -m bench.avatar_http [--runs N]

Starts gunicorn (one sync worker, the project's gunicorn.conf.py) on a free loopback port with a
temporary storage folder and rate limits off, against DATABASE_URL / REDIS_URL from the environment
(`make bench` runs it under scripts/services.py, so PostgreSQL and Redis; on its own, a temporary
SQLite file and the in-process cache). It migrates, registers a user, then times
POST /api/v1/profile/me/avatar of the photo-like 2000x2000 JPEG, and in the same run, each upload
followed by it, avatars.imaging.process_avatar on the same bytes. Processing should be at least
75 % of the request: everything else (HTTP, multipart parsing, storage writes, the transaction) is
overhead to keep small (the faster the processing, the harder this share is to keep).
"""

from __future__ import annotations

import argparse
import io
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from avatars.imaging import process_avatar
from bench.avatar_processing import spec
from bench.live import PROJECT_CONFIG, free_port, gunicorn, migrate, multipart, request, server_env
from testkit import images

TARGET_SHARE = 0.75
UPLOAD_PATH = "/api/v1/profile/me/avatar"
WARM_UP = 3


def access_token(port: int) -> str:
    """Register a fresh user and log in through the API."""
    credentials = {"email": f"bench-{secrets.token_hex(4)}@example.com", "password": "Bench-Correct-Horse-42"}
    body, headers = json.dumps(credentials).encode(), {"Content-Type": "application/json"}
    status, _ = request(port, "POST", "/api/v1/auth/register", body, headers)
    assert status == 201, status
    status, answer = request(port, "POST", "/api/v1/auth/login", body, headers)
    assert status == 200, status
    return json.loads(answer)["access"]


def time_both(port: int, token: str, data: bytes, runs: int) -> tuple[list[float], list[float]]:
    """Wall time of each upload request (from connecting to the last byte of the answer) and of
    process_avatar on the same bytes in this process, interleaved so that the machine's changing
    load weighs on both alike."""
    body, form = multipart(data, "photo.jpg", "image/jpeg")
    headers = {"Authorization": f"Bearer {token}", **form}
    uploads, processing = [], []
    for i in range(WARM_UP + runs):
        start = time.perf_counter()
        status, answer = request(port, "POST", UPLOAD_PATH, body, headers)
        elapsed = time.perf_counter() - start
        if status != 200:
            sys.exit(f"upload answered {status}: {answer[:300]!r}")
        start = time.perf_counter()
        process_avatar(io.BytesIO(data), spec())
        if i >= WARM_UP:
            uploads.append(elapsed)
            processing.append(time.perf_counter() - start)
    return uploads, processing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed uploads (and processing runs), default 20")
    args = parser.parse_args()
    data = images.photo_jpeg(2000, 2000)
    with tempfile.TemporaryDirectory(prefix="critvue-bench-") as tmp:
        env = server_env(Path(tmp))
        migrate(env)
        port = free_port()
        with gunicorn(env, port, PROJECT_CONFIG):
            uploads, processing = time_both(port, access_token(port), data, args.runs)

    upload_ms, processing_ms = statistics.median(uploads) * 1000, statistics.median(processing) * 1000
    share = processing_ms / upload_ms
    database = env["DATABASE_URL"].split(":", 1)[0]
    cache = "redis" if env.get("REDIS_URL") else "in-process"
    print(
        f"POST {UPLOAD_PATH}, photo-like 2000x2000 JPEG ({len(data)} bytes), gunicorn 1 sync worker, "
        f"{database} (CONN_MAX_AGE={env['CONN_MAX_AGE']}) + {cache} cache, local storage; "
        f"median of {args.runs} after {WARM_UP} warm-ups\n"
    )
    rows = [
        ("upload request (HTTP, end to end)", upload_ms),
        ("process_avatar on the same bytes", processing_ms),
        ("everything else (HTTP, parsing, storage, DB)", upload_ms - processing_ms),
    ]
    for label, ms in rows:
        print(f"  {label:46} {ms:8.1f} ms")
    verdict = "ok" if share >= TARGET_SHARE else "BELOW TARGET"
    print(f"\n  processing share of the request: {share:.1%} (target >= {TARGET_SHARE:.0%}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
