"""Prometheus metrics of persona media uploads (served by /metrics with the default registry)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily

from mediakit.metrics import observed, register_scrape_time

log = logging.getLogger(__name__)

UPLOADS = Counter(
    "persona_media_uploads_total", "Persona media uploads by media type and outcome.", ["media_type", "status"]
)
# Uploads of up to 10 MiB: from a few milliseconds for a small image to seconds for a slow client.
UPLOAD_SECONDS = Histogram(
    "persona_media_upload_duration_seconds",
    "Time to receive, check and store an upload.",
    ["media_type"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


@contextmanager
def track_upload(media_type: str) -> Iterator[None]:
    """Count the upload done inside the block by its outcome and time it."""
    with observed(UPLOADS, UPLOAD_SECONDS, media_type=media_type):
        yield


# Conversions: from well under a second for a short phone clip to the 10-minute limit.
CONVERSION_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600)


class JobsCollector:
    """Conversion jobs read from the database on each scrape, so any process (web or worker) answers them:
    `persona_media_jobs{state}`, `persona_media_queue_age_seconds` (the oldest queued file's wait) and
    `persona_media_conversion_seconds` (a gauge histogram over the converted files stored now)."""

    def describe(self):
        yield GaugeMetricFamily("persona_media_jobs", "Media files by processing state.", labels=["state"])
        yield GaugeMetricFamily("persona_media_queue_age_seconds", "Age of the oldest queued media conversion.")
        yield GaugeHistogramMetricFamily("persona_media_conversion_seconds", "Conversion time of stored media files.")

    def collect(self):
        from persona_media.models import MediaFile, Processing

        try:
            counts = dict(MediaFile.objects.order_by().values_list("processing_status").annotate(n=Count("pk")))
            oldest = MediaFile.objects.filter(processing_status=Processing.QUEUED).aggregate(oldest=Min("queued_at"))[
                "oldest"
            ]
            timed = MediaFile.objects.filter(processing_seconds__isnull=False)
            buckets = timed.aggregate(
                **{
                    f"le{i}": Count("pk", filter=Q(processing_seconds__lte=bound))
                    for i, bound in enumerate(CONVERSION_BUCKETS)
                },
                total=Count("pk"),
                seconds=Sum("processing_seconds"),
            )
        except DatabaseError:
            log.warning("persona_media job metrics left out of this scrape: the database did not answer")
            return
        jobs = GaugeMetricFamily("persona_media_jobs", "Media files by processing state.", labels=["state"])
        for state in Processing.values:
            jobs.add_metric([state], counts.get(state, 0))
        yield jobs
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "persona_media_queue_age_seconds", "Age of the oldest queued media conversion.", value=max(0.0, age)
        )
        histogram = [(str(bound), buckets[f"le{i}"]) for i, bound in enumerate(CONVERSION_BUCKETS)]
        yield GaugeHistogramMetricFamily(
            "persona_media_conversion_seconds",
            "Conversion time of stored media files.",
            buckets=[*histogram, ("+Inf", buckets["total"])],
            gsum_value=buckets["seconds"] or 0.0,
        )


JOBS = JobsCollector()


def register_job_metrics() -> None:
    register_scrape_time(JOBS)
