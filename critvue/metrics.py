"""GET /metrics: django-prometheus's export, plus collectors that read their values at scrape time."""

import os

from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from mediakit.metrics import scrape_time_collectors


def metrics_view(request) -> HttpResponse:
    # In multiprocess mode (gunicorn.conf.py) the per-process registries are merged from their
    # files, and the scrape-time collectors join that merge.
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ or "prometheus_multiproc_dir" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        for collector in scrape_time_collectors():
            registry.register(collector)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
