"""Prometheus metrics of moderation: decisions counted as they commit, the queues counted at scrape time."""
import logging

from django.db import DatabaseError, transaction
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from mediakit import review
from mediakit.metrics import register_scrape_time
from mediakit.review import Status

log = logging.getLogger(__name__)

KIND_ACTIONS = {"avatar": ("approve", "reject", "remove"), "media": ("approve", "reject", "delete"),
                "user": ("suspend", "restore")}

decisions = Counter("moderation_decisions_total", "Moderation decisions by kind of target and action.",
                    ["kind", "action"])
for _kind, _actions in KIND_ACTIONS.items():
    for _action in _actions:
        decisions.labels(_kind, _action)  # every pair is exported from the start, at 0


class PendingCollector:
    """`moderation_pending{kind}` read from the database on each scrape: right whichever process answers."""

    def describe(self):
        # Registration asks for the names only: no database query while the apps load.
        yield GaugeMetricFamily("moderation_pending", "Uploads waiting for a moderator's decision.", labels=["kind"])

    def collect(self):
        gauge = GaugeMetricFamily("moderation_pending", "Uploads waiting for a moderator's decision.",
                                  labels=["kind"])
        try:
            for reviewable in review.reviewables():
                pending = reviewable.model._default_manager.filter(moderation_status=Status.PENDING).count()
                gauge.add_metric([reviewable.kind], pending)
        except DatabaseError:
            log.warning("moderation_pending left out of this scrape: the database did not answer")
            return
        yield gauge


PENDING = PendingCollector()


def register_pending_gauge() -> None:
    register_scrape_time(PENDING)


def count_decision(kind: str, action: str) -> None:
    """Counted once the decision commits."""
    transaction.on_commit(lambda: decisions.labels(kind, action).inc())
