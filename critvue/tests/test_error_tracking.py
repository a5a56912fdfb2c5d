"""Optional error tracking: SENTRY_DSN turns on sentry-sdk's Django integration in the production server,
which then sends its envelopes to that endpoint (here a local HTTP server that keeps what it receives),
with nothing personal in them."""

import gzip
import json
import os
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.live import server_env
from critvue.tests.test_topology_clients import client_on
from critvue.tests.topology import ROOT, stop, wait_until_answering
from testkit.net import free_port

WAIT_SECONDS = 30  # a bound on waiting for the SDK's background sender, not a measured time
CLIENT = "127.0.0.5"
SECRETS = ("ada@example.com", "Secret-Horse-42", "header.token.secret", "cookie-secret-value", "query-secret", CLIENT)


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        body = gzip.decompress(body) if encoding == "gzip" else zlib.decompress(body) if encoding == "deflate" else body
        Collector.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://public-key@127.0.0.1:{server.server_address[1]}/42"
    server.shutdown()
    server.server_close()


def events(envelopes: list[tuple[str, bytes]]) -> list[dict]:
    """The event items of the envelopes (a header line, then item header and payload lines)."""
    found = []
    for _, body in envelopes:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2]):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_errors_reach_the_endpoint_without_personal_data(tmp_path, endpoint):
    """The database is down: the login answers 503 and its error-level log line becomes an event."""
    dead = free_port()  # nothing listens there
    env = {
        **server_env(tmp_path),
        "DATABASE_URL": f"postgres://critvue@127.0.0.1:{dead}/critvue",
        "SENTRY_DSN": endpoint,
        "SENTRY_ENVIRONMENT": "test",
        "TRUSTED_PROXIES": "",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    env.pop("REDIS_URL", None)
    os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
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
        wait_until_answering(port, proc, "gunicorn", path="/api/schema")
        answer = client_on(CLIENT).post(
            f"http://127.0.0.1:{port}/api/v1/auth/login?signature=query-secret",
            json={"email": "ada@example.com", "password": "Secret-Horse-42"},
            headers={"Authorization": "Bearer header.token.secret", "Cookie": "refresh_token=cookie-secret-value"},
            timeout=60,
        )
        assert (answer.status_code, answer.json()["code"]) == (503, "service_unavailable")
        deadline = time.monotonic() + WAIT_SECONDS
        while not events(Collector.received) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(proc)  # the SDK flushes what it still holds on the way out
    assert {path for path, _ in Collector.received} <= {"/api/42/envelope/"}
    (event, *_) = [e for e in events(Collector.received) if e.get("logger") == "mediakit.faults"]
    assert event["level"] == "error" and event["environment"] == "test"
    assert event["request"]["url"].endswith("/api/v1/auth/login") and event["request"]["method"] == "POST"
    raw = b"".join(body for _, body in Collector.received).decode()
    for secret in SECRETS:
        assert secret not in raw, secret
    assert "user" not in event or not event["user"].get("ip_address")


def test_without_a_dsn_nothing_is_started():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()


def test_the_scrubber_hides_emails_and_log_extras():
    from critvue.errortracking import scrub_breadcrumb, scrub_event

    event = scrub_event(
        {
            "request": {"url": "https://api/x?sig=1", "query_string": "sig=1", "data": {"a": 1}},
            "user": {"id": 1},
            "extra": {"client": "198.51.100.1", "file": "a/b.jpg"},
            "exception": {"values": [{"value": "Key (email)=(ada@example.com) exists"}]},
            "logentry": {"message": "login of bob@example.org failed"},
        },
        None,
    )
    assert event["request"] == {"url": "https://api/x"} and "user" not in event
    assert event["extra"] == {"client": "[Filtered]", "file": "a/b.jpg"}
    assert event["exception"]["values"][0]["value"] == "Key (email)=([Filtered]) exists"
    assert event["logentry"]["message"] == "login of [Filtered] failed"
    assert scrub_breadcrumb({"data": {"client": "1.2.3.4"}, "message": "x@y.io"}, None) == {
        "data": {"client": "[Filtered]"},
        "message": "[Filtered]",
    }
