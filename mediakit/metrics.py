"""Counting and timing an upload by its outcome, for both apps' Prometheus metrics."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist, SuspiciousOperation
from prometheus_client import REGISTRY, Counter, Histogram
from rest_framework.exceptions import APIException

from mediakit.rejections import Rejected

# Refusals caused by what the client sent (or asked for): counted as "rejected", not "error".
CLIENT_FAULTS = (Rejected, ObjectDoesNotExist, SuspiciousOperation)


def outcome(error: BaseException | None) -> str:
    """success, rejected (the client's fault: a 4xx) or error (ours)."""
    if error is None:
        return "success"
    if isinstance(error, CLIENT_FAULTS) or isinstance(error, APIException) and error.status_code < 500:
        return "rejected"
    return "error"


@contextmanager
def observed(counter: Counter, duration: Histogram, **labels: str) -> Iterator[None]:
    """Count what happens in the block under `status=outcome` (plus `labels`) and time it."""
    started = time.perf_counter()
    error: BaseException | None = None
    try:
        yield
    except BaseException as caught:
        error = caught
        raise
    finally:
        counter.labels(**labels, status=outcome(error)).inc()
        (duration.labels(**labels) if labels else duration).observe(time.perf_counter() - started)


_scrape_time: list = []


def register_scrape_time(collector) -> None:
    """A collector whose values come from shared state (the database), so any process can answer them.

    Registered in the default registry; a host that merges per-process registries (Prometheus
    multiprocess mode) adds `scrape_time_collectors()` to its merge.
    """
    if collector not in _scrape_time:
        _scrape_time.append(collector)
        REGISTRY.register(collector)


def scrape_time_collectors() -> list:
    return list(_scrape_time)
