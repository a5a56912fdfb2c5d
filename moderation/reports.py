"""Users' reports of what other users show publicly: filed through the API, resolved in the admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework import exceptions, status

from mediakit import review
from mediakit.api import api_error
from moderation.models import Report

CannotReportSelf = api_error(
    "CannotReportSelf", status.HTTP_400_BAD_REQUEST, "cannot_report_self", "You cannot report your own avatar."
)
AlreadyReported = api_error(
    "AlreadyReported",
    status.HTTP_409_CONFLICT,
    "already_reported",
    "You have already reported this avatar; a moderator will look at it.",
)


class NothingToReport(exceptions.NotFound):
    default_detail = "This user has no public avatar to report."
    default_code = "not_found"


def reportable_kinds() -> list[str]:
    """The kinds an installed app lets users report (avatar)."""
    return [r.kind for r in review.reviewables() if r.reportable is not None]


def file_report(*, reporter, kind: str, user_id: int, reason: str) -> Report:
    """Record an open report of `user_id`'s public item of `kind`; one open report per reporter and item."""
    if user_id == reporter.pk:
        raise CannotReportSelf()
    reviewable = review.reviewable_of(kind)
    owner = get_user_model()._default_manager.filter(pk=user_id).first()
    target = reviewable.reportable(owner) if reviewable and reviewable.reportable and owner else None
    if target is None or owner is None:
        raise NothingToReport()
    try:
        with transaction.atomic():
            return Report.objects.create(
                kind=kind, target_id=target.pk, target_user=owner, reporter=reporter, reason=reason.strip()
            )
    except IntegrityError:  # moderation_one_open_report: this reporter's open report exists (or just won a race)
        raise AlreadyReported() from None


def open_count(kind: str, target_id: int) -> int:
    return Report.objects.filter(kind=kind, target_id=target_id, status=Report.Status.OPEN).count()
