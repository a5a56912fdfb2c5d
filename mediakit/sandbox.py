"""Run a risky function (a media decoder on a client's file) in a throw-away child process.

The child is forked from multiprocessing's fork server — a small process started once per calling
process, holding the modules named in `preload` already imported — so a call costs a fork, not an
interpreter start. Inside, it runs under RLIMIT_AS (memory), RLIMIT_CPU and no core dumps, and the
caller waits at most `timeout` seconds of wall-clock time before killing it. Whatever happens in
there — a segfault, an abort, an endless loop, a runaway allocation — the caller gets
`Rejected(code, ...)`, never a crash or a hang of its own. No Django here.
"""

import ctypes
import logging
import math
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .rejections import Rejected

log = logging.getLogger(__name__)

CONTEXT = multiprocessing.get_context("forkserver")

# Address space a child may add on top of what it holds when it starts (the fork server's
# interpreter and preloaded libraries). 768 MiB leaves room for an FFmpeg decoder's reference
# frames at 3840x2160 (a 10-bit 4K HEVC DPB is ~300 MiB) while bounding a hostile file.
DEFAULT_MEMORY = 768 << 20
DEFAULT_TIMEOUT = 8.0

_preloaded: set[str] = set()


def preload(*modules: str) -> None:
    """Have the fork server import `modules` when it starts (no effect once it runs)."""
    _preloaded.update(modules)
    _configure()


def _configure() -> None:
    """Tell multiprocessing what the fork server is to import when it starts."""
    # '__main__' is multiprocessing's default preload; keeping it spares every child re-importing
    # the caller's main script. A main run by module name (`python -m pkg.mod`) is not preloaded
    # by it, and every child re-runs that module: naming it here lets the re-run find everything
    # the module imports already loaded (~90 ms per child for a benchmark importing Pillow).
    name = getattr(getattr(sys.modules.get("__main__"), "__spec__", None), "name", None)
    by_name = [name] if name and not name.endswith("__main__") else []
    if name and by_name and "." in name:
        # Re-run over the preloaded module, runpy warns in every child that a package's module is already
        # imported: expected here, and once per call it buried a benchmark's output. The fork server (and
        # so every child) gets this filter through the -W options multiprocessing passes on.
        quiet = f"ignore:'{name}' found in sys.modules:RuntimeWarning"
        if quiet not in sys.warnoptions:
            sys.warnoptions.append(quiet)
    CONTEXT.set_forkserver_preload(["__main__", *by_name, *sorted(_preloaded)])


def start() -> None:
    """Start the fork server now (e.g. when a worker starts) rather than on the first call."""
    from multiprocessing import forkserver

    _configure()
    forkserver.ensure_running()


class Cancelled(Exception):
    """The caller's heartbeat said stop: the child was killed before it finished."""


@dataclass(frozen=True)
class Budget:
    """More room for a long job (a conversion) than a probe gets: CPU seconds (all threads together;
    the timeout's by default), a lower scheduling priority, and a caller's heartbeat between waits."""

    cpu_seconds: float | None = None
    nice: int = 0
    # Called every `beat_seconds` while the child runs; returning False kills it (Cancelled).
    heartbeat: Callable[[], bool] | None = None
    beat_seconds: float = 5.0


def run(
    func: Callable[..., Any],
    *args: Any,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    code: str = "corrupt_file",
    budget: Budget = Budget(),
) -> Any:
    """func(*args) in a limited child; its return value, or the Rejected it raised.

    func, its arguments and its result must be picklable (func importable by name). A child that
    dies, overruns `timeout` or `memory`, or raises anything else becomes Rejected(code, why).
    """
    _configure()  # before the fork server starts with the first child; no effect after
    receiver, sender = CONTEXT.Pipe(duplex=False)
    limits = (timeout, memory, budget.cpu_seconds or timeout, budget.nice)
    child = CONTEXT.Process(target=_child, args=(sender, func, args, limits), daemon=True)
    try:
        child.start()
    finally:
        sender.close()
    outcome: tuple[Any, ...] | None = None
    timed_out: bool | None = None
    try:
        timed_out = not _wait(receiver, timeout, budget)
        outcome = None if timed_out else _receive(receiver)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        exitcode = child.exitcode
        child.close()
    if outcome is None:
        raise Rejected(code, _death(exitcode, bool(timed_out), timeout))
    kind, value, internal = outcome[0], outcome[1], outcome[2:]  # internal: what failed, for the log only
    if kind == "ok":
        return value
    if kind == "rejected":
        raise Rejected(*value)
    if internal:
        log.warning("%s failed in the sandbox: %s", getattr(func, "__qualname__", func), internal[0])
    raise Rejected(code, value)


def _wait(receiver: Any, timeout: float, budget: Budget) -> bool:
    """Whether the child answered (or died) within `timeout`; raises Cancelled when the heartbeat says stop."""
    if budget.heartbeat is None:
        return receiver.poll(timeout)
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if receiver.poll(min(left, budget.beat_seconds)):
            return True
        if not budget.heartbeat():
            raise Cancelled()
    return False


def _receive(receiver: Any) -> tuple[str, Any] | None:
    """The child's answer, or None when it died before giving one."""
    try:
        return receiver.recv()
    except (EOFError, OSError):
        return None


def _death(exitcode: int | None, timed_out: bool, timeout: float) -> str:
    """A sentence on why a child gave no answer."""
    if timed_out or exitcode == -signal.SIGALRM:
        return f"reading the file took longer than {timeout:g} s"
    if exitcode == -signal.SIGXCPU:
        return f"reading the file used more than {timeout:g} s of CPU time"
    if exitcode is not None and exitcode < 0:
        return f"the decoder crashed on the file ({signal.Signals(-exitcode).name})"
    return f"the decoder stopped on the file (exit status {exitcode})"


def _child(sender: Any, func: Callable[..., Any], args: tuple[Any, ...], limits: tuple[float, int, float, int]) -> None:
    """Body of the child: set limits, run, send one answer."""
    _limit(*limits)
    try:
        outcome: tuple[Any, ...] = ("ok", func(*args))
    except Rejected as rejected:
        outcome = ("rejected", (rejected.code, rejected.detail))
    except MemoryError:
        outcome = ("failed", "reading the file needs more memory than allowed")
    except Exception as error:  # noqa: BLE001 - any failure of the decoder is the file's fault
        # The client learns only that; what failed (with its traceback's last words) is for the log,
        # written by the caller: this child's own logging is not configured.
        outcome = ("failed", "the file cannot be read", f"{type(error).__name__}: {error}")
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("failed", "reading the file needs more memory than allowed"))
    sender.close()


def _limit(timeout: float, memory: int, cpu_seconds: float, nice: int) -> None:
    """Cap the child's address space, CPU time, lifetime and core dumps; lower its priority.

    The alarm (whose default action ends the process) is the child's own deadline: it holds even
    when the caller is gone — a worker killed mid-call — and cannot kill the child any more. Sooner
    than that, the child dies with the fork server (PR_SET_PDEATHSIG), which exits when its last
    caller does: a SIGKILLed worker leaves no conversion running for minutes.
    """
    _die_with_parent()
    if nice:
        os.nice(nice)
    with open("/proc/self/statm", "rb") as statm:
        in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (in_use + memory, in_use + memory))
    cpu = math.ceil(cpu_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(math.ceil(timeout) + 1)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """SIGKILL this process when its parent (the fork server) exits; a no-op where prctl is missing."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)
