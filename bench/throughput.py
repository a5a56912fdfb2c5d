"""Benchmark avatar uploads per second under concurrency, on gunicorn as production runs it.

Run from the repository root:  .venv/bin/python -m bench.throughput [--uploads N] [--rounds R]

gunicorn starts with the project's gunicorn.conf.py (gthread workers, its thread count) and
`--workers 2` (this machine has 2 cores), against DATABASE_URL / REDIS_URL from the environment
(`make bench`: PostgreSQL and Redis), local storage in a temporary folder, rate limits off. Each
client is a thread with its own user, POSTing the photo-like 2000x2000 JPEG to
/api/v1/profile/me/avatar over http.client (a fresh connection per upload, as live.request does),
N uploads each, and stops early at a time bound. For 1, 2 and 8 clients: uploads/s (ok answers over
the round's wall time), p50/p95 latency, errors (non-200 answers and failed connections), each rate
beside the one-client rate of the same round; rounds interleave the client counts, medians are
reported. Goal: eight clients ≥ 1.8x one client's rate, 0 errors. Beside them, the workers' CPU
time per upload and the cores they kept busy over the round (psutil): on a machine others load,
eight clients cannot get two free cores, and these tell a saturated server from a starved one;
and the busiest worker's share of that CPU time (50 % with 2 workers is an even split).

The same is measured with `--threads 1` (2 workers x 1 thread: no GIL sharing within a worker) and
with 3 workers (cores + 1) x the config's threads, each a server of its own (all up at once, rounds
interleaved across them), to show which configuration scales.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil

from bench.avatar_http import UPLOAD_PATH, access_token
from bench.live import PROJECT_CONFIG, free_port, migrate, multipart, request, server_env, serving
from testkit import images

CLIENTS = (1, 2, 8)
TARGET = 1.8
SECONDS_BOUND = 120  # per round and client count
# (label, --workers, --threads or None for the config's own)
CONFIGS = (
    ("production: 2 workers x config threads", 2, None),
    ("2 workers x 1 thread", 2, 1),
    ("3 workers x config threads", 3, None),
)


@contextmanager
def server(env: dict[str, str], port: int, workers: int, threads: int | None) -> Iterator[list[psutil.Process]]:
    """gunicorn on `port`, up once /health answers; yields its worker processes."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "critvue.wsgi:application",
        "--config",
        str(PROJECT_CONFIG),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    if threads:
        command += ["--threads", str(threads)]
    with serving(command, env, lambda: request(port, "GET", "/health")[0] == 200, "gunicorn") as master:
        yield psutil.Process(master.pid).children()


def cpu_seconds(processes: list[psutil.Process]) -> list[float]:
    """User + system CPU seconds of each process."""
    return [sum(p.cpu_times()[:2]) for p in processes]


def round_of(port: int, tokens: list[str], data: bytes, uploads: int, workers: list[psutil.Process]) -> dict:
    """len(tokens) clients at once, `uploads` each (or until the time bound): rate, latencies, errors,
    and the CPU time the workers spent (per upload, and as cores busy over the round)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS_BOUND
    start = threading.Barrier(len(tokens) + 1)

    def client(token: str) -> None:
        start.wait()
        for _ in range(uploads):
            if time.monotonic() > deadline:
                break
            parts, form = multipart(data, "photo.jpg", "image/jpeg")
            began = time.perf_counter()
            try:
                status, body = request(port, "POST", UPLOAD_PATH, parts, {"Authorization": f"Bearer {token}", **form})
            except OSError as error:
                status, body = 0, repr(error).encode()
            took = time.perf_counter() - began
            with lock:
                if status == 200:
                    latencies.append(took)
                else:
                    errors.append(f"{status} {body[:120]!r}")

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    cpu = cpu_seconds(workers)
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    per_worker = [after - before for before, after in zip(cpu, cpu_seconds(workers))]
    cpu = sum(per_worker)
    latencies.sort()
    return {
        "rate": len(latencies) / wall,
        "cores": cpu / wall,
        "cpu_ms": 1000 * cpu / max(1, len(latencies)),
        "busiest": max(per_worker) / cpu if cpu else 0.0,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else 0.0,
        "ok": len(latencies),
        "errors": errors,
    }


def measure(env: dict[str, str], configs, data: bytes, uploads: int, rounds: int) -> dict[str, dict[int, list[dict]]]:
    """All configurations' servers up at once (idle ones cost nothing), rounds interleaved across
    configurations and client counts, so the machine's changing load hits them all alike."""
    found: dict[str, dict[int, list[dict]]] = {label: {n: [] for n in CLIENTS} for label, _, _ in configs}
    with ExitStack() as stack:
        servers = {}
        for label, workers, threads in configs:
            port = free_port()
            processes = stack.enter_context(server(env, port, workers, threads))
            servers[label] = (port, [access_token(port) for _ in range(max(CLIENTS))], processes)
            round_of(port, servers[label][1][:2], data, 2, processes)  # warm-up: imports, PostgreSQL, Redis
        for _ in range(rounds):
            for n in CLIENTS:
                for label, (port, tokens, processes) in servers.items():
                    found[label][n].append(round_of(port, tokens[:n], data, uploads, processes))
    return found


def report(label: str, found: dict[int, list[dict]]) -> bool:
    one = statistics.median(r["rate"] for r in found[1])
    print(f"{label}")
    print(
        f"  {'clients':>7} {'uploads/s':>9} {'x 1 client':>10} {'p50 s':>6} {'p95 s':>6} {'ok':>4} {'errors':>6} "
        f"{'worker CPU ms/upload':>20} {'cores busy':>10} {'busiest worker':>14}"
    )
    met = True
    for n, runs in found.items():
        rate = statistics.median(r["rate"] for r in runs)
        errors = sum(len(r["errors"]) for r in runs)
        p50, p95 = statistics.median(r["p50"] for r in runs), statistics.median(r["p95"] for r in runs)
        note = ""
        if n == max(CLIENTS):
            ok = rate >= TARGET * one and errors == 0
            met = met and ok
            note = f"  goal ≥{TARGET}x, 0 errors: {'ok' if ok else 'MISSED'}"
        cpu_ms, cores = statistics.median(r["cpu_ms"] for r in runs), statistics.median(r["cores"] for r in runs)
        busiest = statistics.median(r["busiest"] for r in runs)
        print(
            f"  {n:>7} {rate:>9.2f} {rate / one:>9.2f}x {p50:>6.2f} {p95:>6.2f} {sum(r['ok'] for r in runs):>4} "
            f"{errors:>6} {cpu_ms:>20.1f} {cores:>10.2f} {busiest:>13.0%}{note}"
        )
        for error in sorted({e for r in runs for e in r["errors"]})[:3]:
            print(f"          e.g. {error}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=6, help="uploads per client per round (default 6)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of 1, 2, 8 clients (median, default 3)")
    parser.add_argument("--production-only", action="store_true", help="skip the other configurations")
    args = parser.parse_args()
    data = images.photo_jpeg(2000, 2000)
    configs = CONFIGS[:1] if args.production_only else CONFIGS
    with tempfile.TemporaryDirectory(prefix="critvue-bench-") as tmp:
        env = server_env(Path(tmp))
        migrate(env)
        load = os.getloadavg()[0]
        results = measure(env, configs, data, args.uploads, args.rounds)
        load = (load, os.getloadavg()[0])
    database = env["DATABASE_URL"].split(":", 1)[0]
    cache = "redis" if env.get("REDIS_URL") else "in-process"
    print(
        f"POST {UPLOAD_PATH}, 2000x2000 JPEG ({len(data)} bytes), gunicorn.conf.py (gthread), {database} + {cache}, "
        f"local storage, rate limits off; {args.uploads} uploads per client, median of {args.rounds} interleaved "
        f"rounds (all servers up at once, rounds interleaved across them); rates are ok answers per second of wall "
        f"time; {os.cpu_count()} cores, load average {load[0]:.1f} before, {load[1]:.1f} after\n"
    )
    for label, found in results.items():
        report(label, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
