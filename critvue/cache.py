"""The rate-limit cache: Redis that reads as empty while it cannot be reached, so limits fail open."""

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from prometheus_client import Counter
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

OPERATIONS = ("add", "get", "incr")
errors = Counter(
    "ratelimit_cache_errors_total",
    "Rate-limit cache operations that failed, so the request was let through.",
    ["operation"],
)
for _operation in OPERATIONS:
    errors.labels(_operation)  # exported from the start, at 0

# A rate-limit check must stay a small part of a request: a Redis that does not answer within a
# second is treated as down.
SOCKET_TIMEOUT = 1.0
# After a failure, skip Redis for a few seconds instead of paying a timeout on every operation.
RETRY_AFTER_SECONDS = 5.0


class FailOpenRedisCache(RedisCache):
    """RATELIMIT_USE_CACHE's backend: an unreachable Redis is a miss (logged and counted).

    `add` answers False, `get` the default and `incr` "key not found", as for an absent key, so
    django-ratelimit sees no count and, with RATELIMIT_FAIL_OPEN, lets the request through.
    """

    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": SOCKET_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0

    def _call(self, operation: str, call: Callable[[], Any], miss: Callable[[], Any]) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return call()
            except RedisError as exc:
                self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
                log.warning("The rate-limit cache failed (%s: %s); requests are let through.", operation, exc)
        errors.labels(operation).inc()
        return miss()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call("add", partial(super().add, key, value, timeout, version), lambda: False)

    def get(self, key, default=None, version=None):
        return self._call("get", partial(super().get, key, default, version), lambda: default)

    def incr(self, key, delta=1, version=None) -> int:
        def not_found():
            raise ValueError(f"Key {key!r} not found: the rate-limit cache is unreachable.")

        return self._call("incr", partial(super().incr, key, delta, version), not_found)
