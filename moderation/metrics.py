"""Prometheus metrics of moderation: decisions counted as they commit, the queues counted at scrape time."""

import logging

from django.db import DatabaseError, transaction
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from mediakit import review
from mediakit.metrics import register_scrape_time
from mediakit.review import Status

log = logging.getLogger(__name__)

KIND_ACTIONS = {
    "avatar": ("approve", "reject", "remove", "dismiss"),
    "media": ("approve", "reject", "delete"),
    "user": ("suspend", "restore"),
    "blocked": ("block", "lift"),
}

decisions = Counter(
    "moderation_decisions_total", "Moderation decisions by kind of target and action.", ["kind", "action"]
)
for _kind, _actions in KIND_ACTIONS.items():
    for _action in _actions:
        decisions.labels(_kind, _action)  # every pair is exported from the start, at 0


PENDING_HELP = "Uploads waiting for a moderator's decision."
REPORTS_HELP = "Open reports of users' content, by kind."


class PendingCollector:
    """`moderation_pending{kind}` and `moderation_open_reports{kind}` read from the database on each scrape:
    right whichever process answers."""

    def describe(self):
        # Registration asks for the names only: no database query while the apps load.
        yield GaugeMetricFamily("moderation_pending", PENDING_HELP, labels=["kind"])
        yield GaugeMetricFamily("moderation_open_reports", REPORTS_HELP, labels=["kind"])

    def collect(self):
        from moderation.models import Report

        pending = GaugeMetricFamily("moderation_pending", PENDING_HELP, labels=["kind"])
        reports = GaugeMetricFamily("moderation_open_reports", REPORTS_HELP, labels=["kind"])
        try:
            for reviewable in review.reviewables():
                waiting = reviewable.model._default_manager.filter(moderation_status=Status.PENDING).count()
                pending.add_metric([reviewable.kind], waiting)
                if reviewable.reportable is not None:
                    open_reports = Report.objects.filter(kind=reviewable.kind, status=Report.Status.OPEN).count()
                    reports.add_metric([reviewable.kind], open_reports)
        except DatabaseError:
            log.warning(
                "moderation_pending and moderation_open_reports left out of this scrape: the database did not answer"
            )
            return
        yield pending
        yield reports


PENDING = PendingCollector()


def register_pending_gauge() -> None:
    register_scrape_time(PENDING)


def count_decision(kind: str, action: str) -> None:
    """Counted once the decision commits."""
    transaction.on_commit(lambda: decisions.labels(kind, action).inc())
