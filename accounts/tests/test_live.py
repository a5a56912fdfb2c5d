"""Export and erasure over real HTTP, against gunicorn with the project's config and its own storage folders."""

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from bench.live import PROJECT_CONFIG, free_port, gunicorn, migrate, multipart, request, server_env
from testkit import images as I
from testkit import media as files

PASSWORD = "Correct-Horse-42"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(port, storage folder) of a one-worker gunicorn on a migrated SQLite file."""
    folder = tmp_path_factory.mktemp("live-accounts")
    env = {**server_env(folder), "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
    env.pop("REDIS_URL", None)
    migrate(env)
    port = free_port()
    with gunicorn(env, port, PROJECT_CONFIG):
        yield port, folder


def call(port: int, method: str, path: str, token: str | None = None, body=None, headers=None):
    headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    if isinstance(body, dict):
        body, headers = json.dumps(body).encode(), {**headers, "Content-Type": "application/json"}
    return request(port, method, path, body, headers)


def account(port: int, email: str, seed: int) -> tuple[str, dict[str, bytes]]:
    """Register, log in, upload an avatar and two media files; returns the token and the bytes sent by name."""
    assert call(port, "POST", "/api/v1/auth/register", body={"email": email, "password": PASSWORD})[0] == 201
    token = json.loads(call(port, "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})[1])[
        "access"
    ]
    parts, headers = multipart(I.photo_jpeg(200 + seed, 150), "me.jpg", "image/jpeg")
    assert call(port, "POST", "/api/v1/profile/me/avatar", token, parts, headers)[0] == 200
    persona = json.loads(call(port, "POST", "/api/v1/personas", token, {"name": "P"})[1])["id"]
    sent = {}
    for name, data in (("a.png", files.png(30 + seed, 20)), ("b.jpg", files.jpeg(20, 30 + seed))):
        parts, headers = multipart(data, name, "application/octet-stream")
        status, body = call(port, "POST", f"/upload/persona/{persona}/image", token, parts, headers)
        assert status == 201, body
        sent[f"media/{persona}/{json.loads(body)['id']}-{name}"] = data
    return token, sent


def stored(folder: Path) -> set[str]:
    return {
        str(Path(root, name).relative_to(folder))
        for sub in ("avatars", "persona_media")
        for root, _, names in os.walk(folder / sub)
        for name in names
        if ".health" not in root
    }


def test_export_then_erase_over_http(live):
    port, folder = live
    token, sent = account(port, "leaving@example.com", 0)
    before_other = stored(folder)
    other_token, _ = account(port, "staying@example.com", 1)
    others = stored(folder) - before_other

    status, body = call(port, "GET", "/api/v1/profile/me/export", token)
    assert status == 200
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert {name: archive.read(name) for name in archive.namelist() if name.startswith("media/")} == sent
    assert sum(name.startswith("avatar/") for name in archive.namelist()) == 1
    assert json.loads(archive.read("profile.json"))["email"] == "leaving@example.com"

    assert call(port, "DELETE", "/api/v1/profile/me", token, {"password": "wrong"})[0] == 400
    assert call(port, "DELETE", "/api/v1/profile/me", token, {"password": PASSWORD})[0] == 204

    assert stored(folder) == others and len(others) == 5 + 2 * 2  # 5 variants; 2 media files and their previews
    assert call(port, "GET", "/api/v1/profile/me", token)[0] == 401
    assert call(port, "GET", "/api/v1/profile/me", other_token)[0] == 200


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """(port, storage folder) of gunicorn as production runs it: the project's config (gthread), its own SQLite."""
    import sys

    from bench.live import serving

    folder = tmp_path_factory.mktemp("live-production")
    env = {**server_env(folder), "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}
    env.pop("REDIS_URL", None)
    migrate(env)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "critvue.wsgi:application",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--config",
        str(PROJECT_CONFIG),
    ]
    with serving(command, env, lambda: request(port, "GET", "/health")[0] == 200, "gunicorn", quiet=True):
        yield port, folder


def slow_reader(port: int):
    """An HTTP connection whose socket takes in little at a time, so the server's sends block early."""
    import http.client
    import socket

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    sock.settimeout(60)
    sock.connect(("127.0.0.1", port))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.sock = sock
    return conn


def test_a_file_vanishing_mid_export_fails_the_download_for_the_client(production):
    """The server is held mid-way through a file larger than every socket buffer on the way (a 9 MB PNG;
    Linux buffers at most 4 MiB per send side), while the file after it is deleted: the client must
    see the transfer fail, not a shorter archive that ends as if complete."""
    import http.client

    port, folder = production
    email = "exporter@example.com"
    assert call(port, "POST", "/api/v1/auth/register", body={"email": email, "password": PASSWORD})[0] == 201
    token = json.loads(call(port, "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})[1])[
        "access"
    ]
    persona = json.loads(call(port, "POST", "/api/v1/personas", token, {"name": "P"})[1])["id"]
    uploaded = []
    for name, data in (("big.png", files.noise_png(1700, 1700)), ("small.png", files.png(30, 20))):
        parts, headers = multipart(data, name, "image/png")
        status, body = call(port, "POST", f"/upload/persona/{persona}/image", token, parts, headers)
        assert status == 201, body
        uploaded.append(json.loads(body))
    assert uploaded[0]["file_size"] > 8_000_000
    victim = folder / "persona_media" / str(uploaded[1]["user_id"]) / str(persona) / uploaded[1]["filename"]
    assert victim.exists()

    conn = slow_reader(port)
    try:
        conn.request("GET", "/api/v1/profile/me/export", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        assert response.status == 200
        promised = int(response.getheader("Content-Length"))
        victim.unlink()  # the server is still sending big.png
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            response.read()
    finally:
        conn.close()
    assert promised > uploaded[0]["file_size"]
    assert call(port, "GET", "/health")[0] == 200  # the worker lives on

    status, body = call(port, "GET", "/api/v1/profile/me/export", token)  # laid out again: without it
    assert status == 200
    assert [n for n in zipfile.ZipFile(io.BytesIO(body)).namelist() if n.startswith("media/")] == [
        f"media/{persona}/{uploaded[0]['id']}-big.png"
    ]
