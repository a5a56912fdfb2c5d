"""Health probes with a deadline: a component that hangs is reported as "timeout", never waited for.

States: "ok", "timeout" (no answer by the deadline, or the client's own timeout), "full" (no space,
or less free than STORAGE_MIN_FREE_BYTES), "read_only" (cannot take a write), "error" (anything
else; logged).
"""

import logging
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, connections

from mediakit.faults import FULL, UNWRITABLE

log = logging.getLogger(__name__)
HEALTH_PREFIX = ".health"


class NearlyFull(Exception):
    pass


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def in_own_connection(check: Callable[[], None]) -> Callable[[], None]:
    """A database check for a probe thread: it connects on its own and always closes what it opened."""

    def run() -> None:
        try:
            check()
        finally:
            connections.close_all()

    return run


def cache_roundtrip() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)


def storage(alias: str) -> Callable[[], None]:
    def check() -> None:
        # Write and remove a tiny file: proves the storage is reachable *and* writable.
        store = storages[alias]
        store.delete(store.save(f"{HEALTH_PREFIX}/{uuid.uuid4().hex}", ContentFile(b"ok")))
        if isinstance(store, FileSystemStorage):
            free = shutil.disk_usage(store.location).free
            if free < settings.STORAGE_MIN_FREE_BYTES:
                raise NearlyFull(f"{free} bytes free, under STORAGE_MIN_FREE_BYTES")

    return check


def state_of(exc: BaseException) -> str:
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(exc, (TimeoutError, RedisTimeoutError, ConnectTimeoutError, ReadTimeoutError)):
        return "timeout"
    if isinstance(exc, NearlyFull) or (isinstance(exc, OSError) and exc.errno in FULL):
        return "full"
    if isinstance(exc, OSError) and exc.errno in UNWRITABLE:
        return "read_only"
    return "error"


def probe(name: str, check: Callable[[], None]) -> str:
    """Run one check in this thread; its state, with a failure logged."""
    try:
        check()
    except Exception as exc:  # a health probe reports every failure, whatever its kind
        log.warning("health check failed", extra={"component": name}, exc_info=True)
        return state_of(exc)
    return "ok"


def run(checks: dict[str, Callable[[], None]]) -> dict[str, str]:
    """Each check's state; they run side by side in threads, so none waits for another.

    Whatever has not answered HEALTH_TIMEOUT_SECONDS after the start is "timeout"; its thread is
    left to finish on its own (each client has its own timeouts, so it does). The request's own
    thread never touches a dependency, so nothing hung can hold it.
    """
    deadline = time.monotonic() + settings.HEALTH_TIMEOUT_SECONDS
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="health")
    futures: dict[str, Future] = {name: pool.submit(probe, name, check) for name, check in checks.items()}
    pool.shutdown(wait=False)
    states = {}
    for name, future in futures.items():
        try:
            states[name] = future.result(timeout=max(deadline - time.monotonic(), 0))
        except TimeoutError:
            log.warning("health check did not answer in time", extra={"component": name})
            states[name] = "timeout"
    return states
