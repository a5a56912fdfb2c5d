"""Real services that fail for real: an S3 server to freeze (SIGSTOP), a Redis to stop, a server that
accepts connections and never answers, a proxy that stops passing bytes mid-connection, small or
read-only filesystems (tmpfs mounts)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from testkit.net import free_port

STARTUP_SECONDS = 30


def wait_for_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited during start-up (status {proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {STARTUP_SECONDS}s")


class Service:
    """A server in its own process on a free loopback port, that a test can freeze, thaw and stop."""

    def __init__(self, argv: list[str], port: int):
        self.port = port
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, self.proc)
        except Exception:
            self.stop()
            raise

    @contextmanager
    def frozen(self):
        """SIGSTOP: the kernel still accepts connections (the listen backlog), nothing ever answers."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        try:
            yield self
        finally:
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def moto_server() -> Service:
    """moto's S3 server as a separate process (the in-process ThreadedMotoServer cannot be frozen)."""
    port = free_port()
    return Service([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port)


def redis_server() -> Service:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    return Service([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port)


@contextmanager
def silent_listener():
    """A port that accepts TCP connections (the kernel's backlog) and never says a word: a hung server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


class TcpProxy:
    """A loopback TCP proxy to (host, port) that can be frozen: while frozen it passes no byte either
    way and every connection stays open — a server that stopped answering (frozen, or cut off by
    the network) without anybody's process being stopped. Thawed, the held bytes flow on."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                return  # closed
            self.sockets += [client, upstream]
            if self.closed:  # close() ran between accept() and here
                self.close()
                return
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()  # frozen: hold what arrived
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    @contextmanager
    def frozen(self):
        self.flowing.clear()
        try:
            yield self
        finally:
            self.flowing.set()

    def close(self) -> None:
        """Stop listening and end every connection (the server sees each closed, never a leak)."""
        self.closed = True
        self.flowing.set()
        self.listener.close()
        for end in self.sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)  # wakes a pipe blocked in recv(); close() alone would not
            except OSError:
                pass
            end.close()


@contextmanager
def tcp_proxy(host: str, port: int):
    """A TcpProxy to (host, port), closed afterwards."""
    proxy = TcpProxy(host, port)
    try:
        yield proxy
    finally:
        proxy.close()


class MountRefused(Exception):
    """This machine does not let the tests mount a filesystem (not root, or no CAP_SYS_ADMIN)."""


@contextmanager
def tmpfs(path: Path, *, size: str, read_only: bool = False):
    """A real tmpfs of `size` mounted at `path` (read-only when asked), unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0755" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        raise MountRefused(done.stderr.decode(errors="replace").strip() or f"mount exited {done.returncode}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


@contextmanager
def remounted_read_only(path: Path):
    """Make a mounted filesystem read-only (its files stay readable), and writable again afterwards."""
    done = subprocess.run(["mount", "-o", "remount,ro", str(path)], capture_output=True)
    if done.returncode != 0:
        raise MountRefused(done.stderr.decode(errors="replace").strip())
    try:
        yield path
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(path)], check=False, capture_output=True)


def completes(call, seconds: float = 30.0):
    """call() in a thread: its result, or TimeoutError when it is still running after `seconds` (a hang)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return call()
        finally:
            connections.close_all()  # this thread's own connections: the test client leaves them open

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(run).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False)


@contextmanager
def database_at(port: int | None, **options):
    """Reconnect the default database at another loopback port (closed, or a silent listener), or with
    other connection options; back as it was afterwards."""
    import copy

    from django.db import connection

    saved = copy.deepcopy(connection.settings_dict)
    connection.close()
    if port is not None:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
    connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), **options}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
