"""gunicorn with the project's gunicorn.conf.py, as production runs it: real HTTP from outside."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from testkit.net import free_port

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Two gunicorn workers on a migrated SQLite file, with the project's config."""
    folder = tmp_path_factory.mktemp("gunicorn")
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="critvue.settings",
        CRITVUE_ENV_FILE="",
        SECRET_KEY="s" * 60,
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        AVATAR_STORAGE_PATH=str(folder / "a"),
        PERSONA_MEDIA_STORAGE_PATH=str(folder / "m"),
        GUNICORN_READ_IDLE_SECONDS="4",
    )  # the stalled-body test waits this bound out
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "critvue.wsgi:application",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if get(port, "/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=30)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw(port: int, data: bytes) -> tuple[int, str, dict]:
    """Send raw bytes; the status, Content-Type and JSON body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    content_type = re.search(rb"(?i)content-type: *([^\r\n]+)", head).group(1).decode()
    return status, content_type, json.loads(body)


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
        (b"GET /api/v1/personas/\xff\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
        (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n", 400),
    ],
)
def test_requests_refused_by_gunicorn_get_json(server, request_bytes, status):
    got, content_type, body = raw(server, request_bytes)
    assert (got, content_type) == (status, "application/json")
    assert body["detail"] and body["code"]


def test_chunked_body_is_refused_with_411(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/auth/login",
            body=iter([b'{"email": "a@b.c", ', b'"password": "x"}']),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        status, content_type, body = response.status, response.getheader("Content-Type"), json.load(response)
    finally:
        conn.close()
    assert (status, content_type, body["code"]) == (411, "application/json", "length_required")


def test_deeply_nested_json_is_a_400(server):
    payload = b"[" * 5000 + b"]" * 5000
    got, _, body = raw(
        server,
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload,
    )
    assert (got, body["code"]) == (400, "parse_error")


HEALTH_COUNT = re.compile(rb'django_http_responses_total_by_status_view_method_total\{[^}]*view="health"[^}]*\} (\S+)')


def health_count(port: int) -> float:
    status, _, text = get(port, "/metrics")
    assert status == 200
    return float(HEALTH_COUNT.search(text).group(1))


def test_metrics_count_every_worker(server):
    before = health_count(server)
    for _ in range(12):
        assert get(server, "/health")[0] == 200
    # Answered by either worker, every read must report all twelve.
    assert {health_count(server) for _ in range(6)} == {before + 12}


def read_answer(sock: socket.socket) -> tuple[int, dict]:
    """Status and JSON body of the one answer on `sock`, read until the server closes it."""
    sock.setblocking(True)
    sock.settimeout(60)
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_stalled_request_bodies_keep_no_other_request_waiting(server):
    """Clients that stop mid-body (twice as many as there are workers) hold threads, not workers."""
    body = json.dumps({"email": "not-an-email", "password": "Correct-Horse-42"}).encode()
    head = (
        b"POST /api/v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    stalled = [socket.create_connection(("127.0.0.1", server), timeout=30) for _ in range(4)]
    try:
        for sock in stalled:
            sock.sendall(head + body[:10])
        status, _, answer = get(server, "/health")
        assert (status, json.loads(answer)["status"]) == (200, "ok")
        for sock in stalled:  # none of them was answered or dropped meanwhile
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
        # The rest of a body, however late, is still read and answered ...
        stalled[0].sendall(body[10:])
        status, answer = read_answer(stalled[0])
        assert (status, answer["code"]) == (400, "invalid")
        # ... and a body that never comes is given up after gunicorn.conf.py's idle bound.
        status, answer = read_answer(stalled[1])
        assert (status, answer["code"]) == (408, "request_timeout")
    finally:
        for sock in stalled:
            sock.close()


PENDING = re.compile(rb'^moderation_pending\{kind="(\w+)"\} (\S+)$', re.M)


def pending(port: int) -> dict[str, float]:
    status, _, text = get(port, "/metrics")
    assert status == 200
    return {kind.decode(): float(value) for kind, value in PENDING.findall(text)}


def test_moderation_pending_is_right_whichever_worker_answers(server):
    """The gauge is read from the database at scrape time, so every worker reports the same queue."""
    import requests

    from testkit.images import photo_jpeg

    base = f"http://127.0.0.1:{server}"
    before = pending(server)
    account = {"email": "waiting@example.com", "password": "Correct-Horse-42"}
    assert requests.post(f"{base}/api/v1/auth/register", json=account, timeout=30).status_code == 201
    token = requests.post(f"{base}/api/v1/auth/login", json=account, timeout=30).json()["access"]
    upload = requests.post(
        f"{base}/api/v1/profile/me/avatar",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("a.jpg", photo_jpeg(300, 300), "image/jpeg")},
        timeout=30,
    )
    assert upload.status_code == 200 and upload.json()["moderation_status"] == "pending"
    assert {pending(server)["avatar"] for _ in range(6)} == {before["avatar"] + 1}
    assert {pending(server)["media"] for _ in range(6)} == {before["media"]}


def test_workers_follow_the_cpus_and_no_control_socket_lands_in_home(tmp_path):
    """Without --workers, one worker per CPU the process may use (`nproc`); gunicorn's control socket is
    opened only where GUNICORN_CONTROL_SOCKET names it, never under $HOME (a hardened unit forbids it)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "WEB_CONCURRENCY", "XDG_RUNTIME_DIR")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="critvue.settings",
        CRITVUE_ENV_FILE="",
        SECRET_KEY="s" * 60,
        HOME=str(home),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        AVATAR_STORAGE_PATH=str(tmp_path / "a"),
        PERSONA_MEDIA_STORAGE_PATH=str(tmp_path / "m"),
    )
    for control in ("", str(tmp_path / "run" / "gunicorn.ctl")):
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "critvue.wsgi:application",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env={**env, "GUNICORN_CONTROL_SOCKET": control},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    if get(port, "/health")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            assert len(psutil.Process(proc.pid).children()) == len(os.sched_getaffinity(0))
            assert list(home.iterdir()) == []
            if control:  # the arbiter opens it beside its workers, not necessarily before they answer
                while not Path(control).is_socket() and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert Path(control).is_socket()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
