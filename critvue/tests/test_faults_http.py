"""Production-like: gunicorn (the project's config, one sync worker) on S3 that hangs, over real HTTP.

With the S3 server frozen, /health and an upload answer 503 instead of holding the only worker until
gunicorn kills it; once S3 answers again, so does the server.
"""

import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

from testkit import faults, media
from testkit.net import free_port

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "critvue-faults"
pytestmark = pytest.mark.s3


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def post_json(port: int, path: str, data: dict, headers: dict | None = None):
    headers = {"Content-Type": "application/json", **(headers or {})}
    return request(port, "POST", path, json.dumps(data).encode(), headers)


def multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """moto in its own process, and gunicorn with both storages on it (short S3 timeouts, SQLite)."""
    moto = faults.moto_server()
    endpoint = f"http://127.0.0.1:{moto.port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=BUCKET)
    folder = tmp_path_factory.mktemp("faults-http")
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(
        DJANGO_SETTINGS_MODULE="critvue.settings",
        CRITVUE_ENV_FILE="",
        SECRET_KEY="s" * 60,
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        AVATAR_STORAGE_TYPE="cloud",
        MEDIA_STORAGE_TYPE="cloud",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_S3_REGION_NAME="us-east-1",
        S3_CONNECT_TIMEOUT="1",
        S3_READ_TIMEOUT="1",
        S3_MAX_ATTEMPTS="2",
        HEALTH_TIMEOUT_SECONDS="1",
        ENABLE_RATE_LIMITING="false",
    )
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
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        faults.wait_for_port(port, proc)
        yield moto, port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        moto.stop()


def test_a_hung_s3_costs_a_503_not_the_worker(stack):
    moto, port = stack
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    assert post_json(port, "/api/v1/auth/register", {"email": email, "password": "Correct-Horse-42"})[0] == 201
    token = json.loads(post_json(port, "/api/v1/auth/login", {"email": email, "password": "Correct-Horse-42"})[2])
    auth = {"Authorization": f"Bearer {token['access']}"}
    persona = json.loads(post_json(port, "/api/v1/personas", {"name": "Ada"}, auth)[2])
    body, content_type = multipart("a.png", media.png())
    upload = f"/upload/persona/{persona['id']}/image"

    with moto.frozen():
        health = request(port, "GET", "/health")
        status, headers, answer = request(port, "POST", upload, body, {**auth, "Content-Type": content_type})
        again = request(port, "GET", "/health")

    assert health[0] == again[0] == 503
    assert json.loads(health[2])["storage"] == {"avatars": "timeout", "persona_media": "timeout"}
    assert status == 503 and json.loads(answer)["code"] == "service_unavailable"
    assert int(headers["Retry-After"]) > 0
    # The one worker was never held hostage: with S3 back, the same upload goes through.
    deadline = time.monotonic() + 30
    while request(port, "GET", "/health")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    status, _, answer = request(port, "POST", upload, body, {**auth, "Content-Type": content_type})
    assert status == 201, answer
