#!/usr/bin/env python3
"""Run a command against real PostgreSQL and Redis servers.

`python scripts/services.py -- pytest ...` uses TEST_DATABASE_URL / TEST_REDIS_URL when they are
set; otherwise it starts a throwaway PostgreSQL (as the `postgres` user when run as root, since
PostgreSQL refuses to run as root) and a throwaway Redis on free loopback ports, with their data
in a temporary folder, runs the command with DATABASE_URL and REDIS_URL pointing at them, and
stops both afterwards, whatever happened. The exit status is the command's.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None, name: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            sys.exit(f"services: {name} exited during start-up (status {proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"services: {name} did not listen on 127.0.0.1:{port} within {STARTUP_SECONDS}s")


def pg_bindir() -> str:
    found = shutil.which("pg_ctl") and os.path.dirname(shutil.which("pg_ctl"))
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    bindir = found or (candidates[-1] if candidates else None)
    if not bindir or not os.path.exists(os.path.join(bindir, "initdb")):
        sys.exit(
            "services: PostgreSQL server binaries not found; install the 'postgresql' package "
            "or set TEST_DATABASE_URL to a running server"
        )
    return bindir


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres(workdir: str):
    bindir, port = pg_bindir(), free_port()
    data = os.path.join(workdir, "pgdata")
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
    subprocess.run(
        as_postgres([f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Throwaway data: durability is switched off for speed.
    options = (
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    subprocess.run(
        as_postgres(
            [f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(workdir, "postgres.log"), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, None, "PostgreSQL")
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@contextmanager
def redis(workdir: str):
    binary = shutil.which("redis-server")
    if not binary:
        sys.exit(
            "services: redis-server not found; install the 'redis-server' package "
            "or set TEST_REDIS_URL to a running server"
        )
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc, "Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        sys.exit("usage: services.py -- COMMAND [ARGS...]")
    command = argv[argv.index("--") + 1 :]
    env = dict(os.environ)
    with ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="critvue-services-"))
        os.chmod(workdir, 0o755)
        database = os.environ.get("TEST_DATABASE_URL") or stack.enter_context(postgres(workdir))
        cache = os.environ.get("TEST_REDIS_URL") or stack.enter_context(redis(workdir))
        env.update(DATABASE_URL=database, REDIS_URL=cache)
        print(f"services: PostgreSQL {database}  Redis {cache}", flush=True)
        child = subprocess.Popen(command, env=env)
        try:
            return child.wait()
        finally:
            if child.poll() is None:  # interrupted: stop the command before its servers go
                child.terminate()
                child.wait(timeout=60)


def stop_on_sigterm(signum, frame) -> None:
    """A SIGTERM (CI cancelling, `timeout`) unwinds like Ctrl-C, so the servers are stopped."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    sys.exit(main(sys.argv[1:]))
