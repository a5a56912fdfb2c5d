"""Test-only stand-ins for a decoder gone wrong, run by mediakit.sandbox in its child process."""

import ctypes
import os
import signal


def answer(value: int) -> int:
    """A well-behaved job."""
    return value * 2


def abort() -> None:
    """A decoder hitting an assertion: SIGABRT."""
    os.abort()


def segfault() -> None:
    """A decoder reading through a wild pointer: SIGSEGV."""
    ctypes.string_at(0)


def spin() -> None:
    """A decoder in an endless loop."""
    while True:
        pass


def sleep() -> None:
    """A decoder blocked forever without using CPU."""
    signal.pause()


def allocate(total: int) -> int:
    """A decoder allocating (and touching) `total` bytes, in 64 MiB steps."""
    held = []
    while sum(map(len, held)) < total:
        held.append(bytearray(64 << 20))
    return len(held)


def allocate_in_c(total: int) -> int:
    """The same through C malloc, as FFmpeg does; a NULL return is what a decoder then sees."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    step, got = 64 << 20, 0
    while got < total:
        block = libc.malloc(step)
        if not block:
            raise MemoryError("malloc returned NULL")
        ctypes.memset(block, 1, step)
        got += step
    return got


def exit_quietly() -> None:
    """A child that ends without answering."""
    os._exit(3)


def record_pid_then(path: str, func, *args):
    """Write this process's id to `path`, then run func(*args)."""
    with open(path, "w") as out:
        out.write(str(os.getpid()))
    return func(*args)


def peak_rss_after(func, *args) -> int:
    """Run func(*args), then return this process's peak resident size in KiB (for benchmarks)."""
    import resource

    func(*args)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def loaded(module: str) -> bool:
    """Whether `module` was imported in this process before the call (by the fork server)."""
    import sys

    return module in sys.modules


def raise_attribute_error() -> None:
    """A decoder wrapper tripping over a missing part of the file (PyAV's codec_context None)."""
    return None.codec  # type: ignore[attr-defined]
