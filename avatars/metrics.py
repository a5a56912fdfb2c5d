"""Prometheus metrics of avatar uploads (the default registry, exported at /metrics)."""

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

from mediakit.metrics import observed

STATUSES = ("success", "rejected", "error", "rate_limited")

uploads = Counter("avatar_uploads_total", "Avatar upload requests by outcome.", ["status"])
upload_duration = Histogram(
    "avatar_upload_duration_seconds",
    "Time to receive, process and store an avatar upload.",
    # Processing a large photo takes a few hundred milliseconds; the tail shows slow storage.
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0),
)
for _status in STATUSES:
    uploads.labels(_status)  # every outcome is exported from the start, at 0


@contextmanager
def observe_upload() -> Iterator[None]:
    """Count the upload handled in the block by its outcome, and time it."""
    with observed(uploads, upload_duration):
        yield
