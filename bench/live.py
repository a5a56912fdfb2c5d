"""Live-server plumbing shared by the HTTP benchmarks: environment, migrate, gunicorn, requests."""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from testkit.net import free_port  # noqa: F401  (the benchmarks take it from here)

ROOT = Path(__file__).resolve().parent.parent
# Production's config: it caps gunicorn's read-ahead of request bodies (1 MiB per recv()) at 64 KiB.
PROJECT_CONFIG = ROOT / "gunicorn.conf.py"
DEFAULTS_CONFIG = ROOT / "bench" / "gunicorn_defaults.py"
STARTUP_SECONDS = 60
PIECE = 64 * 1024


def server_env(folder: Path) -> dict[str, str]:
    """The environment of migrate and gunicorn: production-like, storage in `folder`, rate limits off."""
    env = dict(os.environ)
    if "DATABASE_URL" not in env:  # run by hand: a throwaway SQLite file, never the project's own
        env["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    # Persistent database connections, as a production server keeps them (PostgreSQL's connection
    # set-up would otherwise weigh on every small request).
    env.setdefault("CONN_MAX_AGE", "60")
    env.update(
        DJANGO_SETTINGS_MODULE="critvue.settings",
        CRITVUE_ENV_FILE="",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ENABLE_RATE_LIMITING="false",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_STORAGE_TYPE="local",
        AVATAR_STORAGE_TYPE="local",
        PERSONA_MEDIA_STORAGE_PATH=str(folder / "persona_media"),
        AVATAR_STORAGE_PATH=str(folder / "avatars"),
        PERSONA_MEDIA_ACCEL_REDIRECT="",
        PERSONA_MEDIA_PRESIGNED_REDIRECT="false",
    )
    return env


def django_settings() -> None:
    """Set Django up in this process with the project's settings (the environment's, else their defaults),
    for benchmarks that call app code such as avatars.services.avatar_spec() directly."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "critvue.settings")
    os.environ.setdefault("CRITVUE_ENV_FILE", "")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate(env: dict[str, str]) -> None:
    """Bring the database named by `env` up to date."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


@contextmanager
def serving(
    command: list[str], env: dict[str, str], ready: Callable[[], bool], what: str, quiet: bool = False
) -> Iterator[subprocess.Popen]:
    """Run a server process until the block ends, once `ready()` says it answers."""
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL if quiet else None
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(ready):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{what} did not start (status {server.poll()})")
            time.sleep(0.1)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(ready: Callable[[], bool]) -> bool:
    """`ready()`, with a refused or broken connection as not ready."""
    try:
        return ready()
    except OSError:
        return False


@contextmanager
def gunicorn(env: dict[str, str], port: int, config: Path) -> Iterator[psutil.Process]:
    """gunicorn with one sync worker and the given config file, up once /health answers; yields the worker."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "critvue.wsgi:application",
        "--workers",
        "1",
        "--threads",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--config",
        str(config),
    ]
    with serving(command, env, lambda: request(port, "GET", "/health")[0] == 200, "gunicorn") as master:
        (worker,) = psutil.Process(master.pid).children()
        yield worker


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | Iterable[bytes | memoryview] | None = None,
    headers: dict[str, str] | None = None,
    sink: bool = False,
) -> tuple[int, bytes]:
    """One HTTP request on a fresh loopback connection; with sink=True the body is read and thrown away."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        if not sink:
            return response.status, response.read()
        buffer = memoryview(bytearray(1024 * 1024))
        while response.readinto(buffer):
            pass
        return response.status, b""
    finally:
        conn.close()


def multipart(data: bytes, filename: str, content_type: str) -> tuple[list[bytes | memoryview], dict[str, str]]:
    """A one-file multipart body as a list of parts (the file in 64 KiB pieces) and its headers."""
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    view = memoryview(data)
    parts = [head, *(view[i : i + PIECE] for i in range(0, len(data), PIECE)), tail]
    length = sum(len(p) for p in parts)
    return parts, {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)}
