"""Prometheus metrics of persona media uploads (served by /metrics with the default registry)."""
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist
from prometheus_client import Counter, Histogram
from rest_framework.exceptions import APIException

from persona_media.validation import MediaRejected

UPLOADS = Counter("persona_media_uploads_total", "Persona media uploads by media type and outcome.",
                  ["media_type", "status"])
# Uploads of up to 10 MiB: from a few milliseconds for a small image to seconds for a slow client.
UPLOAD_SECONDS = Histogram("persona_media_upload_duration_seconds", "Time to receive, check and store an upload.",
                           ["media_type"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


def outcome(error: BaseException | None) -> str:
    """success, rejected (the client's fault) or error (ours)."""
    if error is None:
        return "success"
    if isinstance(error, (MediaRejected, ObjectDoesNotExist)):
        return "rejected"
    if isinstance(error, APIException) and error.status_code < 500:
        return "rejected"
    return "error"


@contextmanager
def track_upload(media_type: str) -> Iterator[None]:
    """Count the upload done inside the block by its outcome and time it."""
    started = time.perf_counter()
    error: BaseException | None = None
    try:
        yield
    except BaseException as caught:
        error = caught
        raise
    finally:
        UPLOADS.labels(media_type=media_type, status=outcome(error)).inc()
        UPLOAD_SECONDS.labels(media_type=media_type).observe(time.perf_counter() - started)
