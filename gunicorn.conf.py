"""gunicorn settings, read from the project folder: `gunicorn critvue.wsgi --workers 4 --bind ...`."""
import glob
import json
import os
import shutil
import tempfile

from gunicorn import util
from gunicorn.http.unreader import SocketUnreader

# gunicorn reads a request body up to 1 MiB per recv() and copies it through buffers, so a worker
# grows by ~3.5 MiB while a 10 MiB upload arrives; 64 KiB reads keep it under 0.5 MiB
# (`make bench` measures both) at no measurable cost in upload speed.
SocketUnreader.max_body_chunk = 64 * 1024

# /metrics must count every worker's uploads, whichever worker answers: prometheus_client's
# multiprocess mode, in a folder the workers share (one of our own unless the operator names one).
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
ERROR_CODES = {400: "bad_request", 403: "forbidden", 413: "file_too_large", 414: "uri_too_long",
               431: "headers_too_large", 500: "server_error"}


def write_json_error(sock, status_int, reason, mesg):
    body = json.dumps({"detail": mesg or reason, "code": ERROR_CODES.get(status_int, "bad_request")}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_json_error
