"""Benchmark a whole avatar upload over HTTP against the share of it that is image processing.

Run from the repository root:  .venv/bin/python -m bench.avatar_http [--runs N]

Starts gunicorn (one sync worker) on a free loopback port with a temporary storage folder and
rate limits off, against DATABASE_URL / REDIS_URL from the environment (`make bench` runs it
under scripts/services.py, so PostgreSQL and Redis; on its own, a temporary SQLite file and the
in-process cache). It migrates, registers a user, then times POST /api/v1/profile/me/avatar of
the photo-like 2000x2000 JPEG, and in the same run times avatars.imaging.process_avatar on the
same bytes. Processing should be at least 75 % of the request: everything else (HTTP, multipart
parsing, storage writes, the transaction) is overhead to keep small.
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from avatars.imaging import process_avatar  # noqa: E402
from avatars.tests import images  # noqa: E402

TARGET_SHARE = 0.75
UPLOAD_PATH = "/api/v1/profile/me/avatar"
STARTUP_SECONDS = 60
WARM_UP = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(folder: Path) -> dict[str, str]:
    """The environment of migrate and gunicorn: a valid production-like configuration."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "critvue.settings", "CRITVUE_ENV_FILE": os.devnull,
           "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "false", "ENABLE_RATE_LIMITING": "false",
           "AVATAR_STORAGE_TYPE": "local", "AVATAR_STORAGE_PATH": str(folder / "avatars"),
           "MEDIA_STORAGE_TYPE": "local", "PERSONA_MEDIA_STORAGE_PATH": str(folder / "persona_media"),
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    return env


def wait_for(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited during start-up (status {proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"gunicorn did not listen on 127.0.0.1:{port} within {STARTUP_SECONDS}s")


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def access_token(port: int) -> str:
    """Register a fresh user and log in through the API."""
    credentials = {"email": f"bench-{secrets.token_hex(4)}@example.com", "password": "Bench-Correct-Horse-42"}
    body, headers = json.dumps(credentials).encode(), {"Content-Type": "application/json"}
    status, _ = request(port, "POST", "/api/v1/auth/register", body, headers)
    assert status == 201, status
    status, answer = request(port, "POST", "/api/v1/auth/login", body, headers)
    assert status == 200, status
    return json.loads(answer)["access"]


def multipart(data: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def time_uploads(port: int, token: str, data: bytes, runs: int) -> list[float]:
    """Wall time of each upload request, from connecting to the last byte of the answer."""
    body, content_type = multipart(data)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    times = []
    for i in range(WARM_UP + runs):
        start = time.perf_counter()
        status, answer = request(port, "POST", UPLOAD_PATH, body, headers)
        elapsed = time.perf_counter() - start
        if status != 200:
            sys.exit(f"upload answered {status}: {answer[:300]!r}")
        if i >= WARM_UP:
            times.append(elapsed)
    return times


def time_processing(data: bytes, runs: int) -> list[float]:
    times = []
    for i in range(WARM_UP + runs):
        start = time.perf_counter()
        process_avatar(io.BytesIO(data))
        if i >= WARM_UP:
            times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed uploads (and processing runs), default 20")
    args = parser.parse_args()
    data = images.photo_jpeg(2000, 2000)
    with tempfile.TemporaryDirectory(prefix="critvue-bench-") as tmp:
        env = server_env(Path(tmp))
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "critvue.wsgi:application", "--workers", "1",
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env)
        try:
            wait_for(port, server)
            uploads = time_uploads(port, access_token(port), data, args.runs)
        finally:
            server.terminate()
            server.wait(timeout=30)
    processing = time_processing(data, args.runs)

    upload_ms, processing_ms = statistics.median(uploads) * 1000, statistics.median(processing) * 1000
    share = processing_ms / upload_ms
    database = env["DATABASE_URL"].split(":", 1)[0]
    cache = "redis" if env.get("REDIS_URL") else "in-process"
    print(f"POST {UPLOAD_PATH}, photo-like 2000x2000 JPEG ({len(data)} bytes), gunicorn 1 sync worker, "
          f"{database} + {cache} cache, local storage; median of {args.runs} after {WARM_UP} warm-ups\n")
    rows = [("upload request (HTTP, end to end)", upload_ms), ("process_avatar on the same bytes", processing_ms),
            ("everything else (HTTP, parsing, storage, DB)", upload_ms - processing_ms)]
    for label, ms in rows:
        print(f"  {label:46} {ms:8.1f} ms")
    verdict = "ok" if share >= TARGET_SHARE else "BELOW TARGET"
    print(f"\n  processing share of the request: {share:.0%} (target >= {TARGET_SHARE:.0%}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
