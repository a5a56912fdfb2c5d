"""gunicorn settings, read from the project folder: `gunicorn critvue.wsgi --config gunicorn.conf.py --bind ...`."""

import glob
import json
import os
import shutil
import tempfile
import time

from gunicorn import util
from gunicorn.http.unreader import SocketUnreader

# Threaded workers: a client that sends its request slowly holds one thread, not the whole worker,
# so with no proxy in front a few slow or stalled uploads never keep other requests waiting.
# Threads mostly wait on sockets, PostgreSQL and S3 (Pillow releases the GIL while it decodes and
# resizes); each keeps its own database connection, so a server holds up to workers x threads.
worker_class = "gthread"
threads = 8
# One worker per CPU this process may run on: what `nproc` prints (the CPU affinity a container or a
# systemd CPUAffinity= leaves it, not the host's count). WEB_CONCURRENCY or --workers overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))

# gunicorn's control socket (for `gunicornc`) defaults to $XDG_RUNTIME_DIR or ~/.gunicorn: a hardened unit
# cannot write there (ProtectHome, a read-only /srv), and two masters on one machine would share it. It is
# opened only where the operator names one (deploy/systemd/critvue.service: /run/critvue/gunicorn.ctl).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# gunicorn reads a request body up to 1 MiB per recv() and copies it through buffers, so a worker
# grows by ~3.5 MiB while a 10 MiB upload arrives; 64 KiB reads keep it under 0.5 MiB
# (`make bench` measures both) at no measurable cost in upload speed.
SocketUnreader.max_body_chunk = 64 * 1024

# Bounded reads of a request: a client may pause at most READ_IDLE_SECONDS between two pieces, and
# its head and body must have arrived in full within REQUEST_READ_SECONDS (a 10 MiB upload then needs
# ~90 KB/s). Past either, the request is answered `408 request_timeout` and its thread freed. The
# socket keeps the idle bound while the answer goes out: a client that stops reading it is dropped.
# Behind nginx (request buffering on) bodies arrive at once and neither limit is ever reached.
READ_IDLE_SECONDS = float(os.environ.get("GUNICORN_READ_IDLE_SECONDS", 15))
REQUEST_READ_SECONDS = float(os.environ.get("GUNICORN_REQUEST_READ_SECONDS", 120))
_unbounded_chunk = SocketUnreader.chunk


def _bounded_chunk(self, size_hint=None):
    now = time.monotonic()
    if getattr(self, "read_deadline", None) is None:
        self.read_deadline = now + REQUEST_READ_SECONDS
    left = self.read_deadline - now
    if left <= 0:
        raise TimeoutError("the request did not arrive in full in time")
    self.sock.settimeout(min(READ_IDLE_SECONDS, left))
    return _unbounded_chunk(self, size_hint)


SocketUnreader.chunk = _bounded_chunk


def post_worker_init(worker):
    """Start the video probe's fork server (PyAV loaded once) with the worker, not on its first upload."""
    from mediakit import video

    video.start()


def post_request(worker, req, environ, resp):
    """The next request on a kept-alive connection gets a read deadline of its own."""
    req.unreader.read_deadline = None


# /metrics must count every worker's uploads, whichever worker answers: prometheus_client's
# multiprocess mode, in a folder the workers share (one of our own unless the operator names one).
# Each gunicorn master needs a folder of its own: on_starting empties it.
_OWN_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
METRICS_DIR = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="critvue-metrics-"))


def on_starting(server):
    """Counts from an earlier run must not leak into this one."""
    for stale in glob.glob(os.path.join(METRICS_DIR, "*.db")):
        os.remove(stale)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)


# Requests gunicorn refuses before Django sees them (oversized headers or request lines, malformed
# HTTP, a worker timing out) get the API's JSON error body instead of gunicorn's HTML page.
ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    408: "request_timeout",
    413: "file_too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    500: "server_error",
}


def write_json_error(sock, status_int, reason, mesg):
    body = json.dumps({"detail": mesg or reason, "code": ERROR_CODES.get(status_int, "bad_request")}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_json_error
