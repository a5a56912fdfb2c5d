"""Rate limits count in a real Redis shared by every process, and let requests through when it stops.

Each test starts its own redis-server on a free loopback port and stops it by its PID mid-test.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path

import django_ratelimit.core
import pytest
import redis
import requests
from django.db import connection
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from avatars.tests.support import URL, post_avatar
from critvue import cache as ratelimit_cache
from testkit import images as I
from testkit.net import free_port

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
PASSWORD = "Correct-Horse-42"


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def keys(self) -> int:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).dbsize()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def redis_server():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def limits_in(settings, redis_server, monkeypatch) -> types.SimpleNamespace:
    """The rate-limit cache alias on our own Redis, limits on, and django-ratelimit's clock frozen."""
    settings.RATELIMIT_ENABLE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        **settings.CACHES,
        settings.RATELIMIT_USE_CACHE: {"BACKEND": "critvue.cache.FailOpenRedisCache", "LOCATION": redis_server.url},
    }
    now = types.SimpleNamespace(value=1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now.value))
    return now


def cache_errors() -> float:
    return sum(
        REGISTRY.get_sample_value("ratelimit_cache_errors_total", {"operation": op}) or 0.0
        for op in ratelimit_cache.OPERATIONS
    )


@pytest.mark.django_db(transaction=True)  # files_deleted counts deletions done at commit
def test_avatar_limits_let_requests_through_once_redis_stops(limits_in, redis_server, api, user, caplog):
    photo = I.photo_jpeg(120, 120)
    for _ in range(5):
        assert post_avatar(api, photo).status_code == 200
    assert post_avatar(api, photo).status_code == 429
    assert redis_server.keys() > 0  # the counts live in this Redis
    before = cache_errors()

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="critvue.cache"):
        uploaded = post_avatar(api, photo)  # the seventh in the window: let through, not 429, not 500
        assert uploaded.status_code == 200, uploaded.content
        deleted = api.delete(URL)
        assert deleted.status_code == 200 and deleted.json()["files_deleted"] == 5

    assert cache_errors() >= before + 2
    assert any(r.name == "critvue.cache" and r.levelno == logging.WARNING for r in caplog.records)


def test_login_throttle_lets_logins_through_once_redis_stops(limits_in, redis_server, make_user):
    make_user("ada@example.com")

    def login(password: str):
        return APIClient().post("/api/v1/auth/login", {"email": "ada@example.com", "password": password}, format="json")

    for _ in range(10):
        assert login("wrong-password-1").status_code == 401
    assert login(PASSWORD).status_code == 429
    before = cache_errors()

    redis_server.stop()
    assert login("wrong-password-1").status_code == 401  # counted nowhere, refused as usual
    assert login(PASSWORD).status_code == 200
    assert cache_errors() > before


def test_limits_count_again_once_redis_is_back(limits_in, redis_server, api, monkeypatch):
    monkeypatch.setattr(ratelimit_cache, "RETRY_AFTER_SECONDS", 0.0)  # retry Redis at once
    redis_server.stop()
    photo = I.photo_jpeg(120, 120)
    for _ in range(6):
        assert post_avatar(api, photo).status_code == 200

    redis_server.start()  # an empty Redis on the same port
    for _ in range(5):
        assert post_avatar(api, photo).status_code == 200
    assert post_avatar(api, photo).status_code == 429


@pytest.mark.django_db(transaction=True)  # the request runs in a thread of its own, with its own connection
def test_a_hung_redis_is_given_up_on(limits_in, redis_server, api):
    """SIGSTOP: Redis still accepts connections but never answers; the limit gives up and lets through."""
    answers = []

    def upload() -> None:
        try:
            answers.append(post_avatar(api, I.photo_jpeg(120, 120)))
        finally:
            connection.close()

    worker = threading.Thread(target=upload)
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        worker.start()
        worker.join(timeout=60)  # a bound, not a speed check: without socket timeouts it never returns
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    assert not worker.is_alive()
    assert answers[0].status_code == 200, answers[0].content


# --- Two server processes over real HTTP ------------------------------------------------------------


@pytest.fixture
def two_servers(tmp_path, redis_server):
    """Two gunicorn servers (one worker each) sharing one SQLite database and our Redis."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="critvue.settings",
        CRITVUE_ENV_FILE="",
        SECRET_KEY="s" * 60,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=redis_server.url,
        ENABLE_RATE_LIMITING="true",
        AVATAR_STORAGE_PATH=str(tmp_path / "avatars"),
        PERSONA_MEDIA_STORAGE_PATH=str(tmp_path / "media"),
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    servers = []
    try:
        for _ in range(2):
            port = free_port()
            servers.append(
                (
                    f"http://127.0.0.1:{port}",
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "gunicorn",
                            "critvue.wsgi:application",
                            "--config",
                            str(ROOT / "gunicorn.conf.py"),
                            "--workers",
                            "1",
                            "--bind",
                            f"127.0.0.1:{port}",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    ),
                )
            )
        for base, process in servers:
            wait_until_up(base, process)
        yield [base for base, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
            process.wait(timeout=30)


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still booting its worker
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn at {base} did not start")


def served_cache_errors(base: str) -> float:
    text = requests.get(f"{base}/metrics", timeout=30).text
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("ratelimit_cache_errors_total{")
    )


def test_two_processes_share_the_login_throttle_and_both_fail_open(two_servers, redis_server):
    a, b = two_servers
    credentials = {"email": "ada@example.com", "password": PASSWORD}
    wrong = {**credentials, "password": "wrong-password-1"}
    assert requests.post(f"{a}/api/v1/auth/register", json=credentials, timeout=30).status_code == 201
    access = requests.post(f"{a}/api/v1/auth/login", json=credentials, timeout=30).json()["access"]
    bearer = {"Authorization": f"Bearer {access}"}

    for n in range(10):  # five failures in each process
        assert requests.post(f"{(a, b)[n % 2]}/api/v1/auth/login", json=wrong, timeout=30).status_code == 401
    for base in (a, b):
        locked = requests.post(f"{base}/api/v1/auth/login", json=credentials, timeout=30)
        assert (locked.status_code, locked.json()["code"]) == (429, "rate_limited")
        assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60

    redis_server.stop()
    assert requests.post(f"{a}/api/v1/auth/login", json=credentials, timeout=30).status_code == 200
    upload = requests.post(
        f"{b}{URL}", headers=bearer, timeout=30, files={"file": ("me.jpg", I.photo_jpeg(120, 120), "image/jpeg")}
    )
    assert upload.status_code == 200, upload.text
    deleted = requests.delete(f"{a}{URL}", headers=bearer, timeout=30)
    assert (deleted.status_code, deleted.json()["files_deleted"]) == (200, 5)
    assert served_cache_errors(a) > 0 and served_cache_errors(b) > 0
