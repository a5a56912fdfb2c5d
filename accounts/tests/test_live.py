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
    token = json.loads(call(port, "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})[1])["access"]
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
    return {str(Path(root, name).relative_to(folder)) for sub in ("avatars", "persona_media")
            for root, _, names in os.walk(folder / sub) for name in names if ".health" not in root}


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
