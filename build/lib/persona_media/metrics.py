"""Prometheus metrics of persona media uploads (served by /metrics with the default registry)."""
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

from mediakit.metrics import observed

UPLOADS = Counter("persona_media_uploads_total", "Persona media uploads by media type and outcome.",
                  ["media_type", "status"])
# Uploads of up to 10 MiB: from a few milliseconds for a small image to seconds for a slow client.
UPLOAD_SECONDS = Histogram("persona_media_upload_duration_seconds", "Time to receive, check and store an upload.",
                           ["media_type"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


@contextmanager
def track_upload(media_type: str) -> Iterator[None]:
    """Count the upload done inside the block by its outcome and time it."""
    with observed(UPLOADS, UPLOAD_SECONDS, media_type=media_type):
        yield
