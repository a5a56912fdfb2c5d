"""Moderation's policy for the apps it moderates (mediakit.review): installed by MODERATION's ready()."""
from mediakit import review
from mediakit.review import Status
from moderation import conf
from moderation.models import UploadSuspension
from moderation.permissions import UploadsSuspended


class ModerationPolicy(review.Policy):
    """New uploads wait for review; in pre mode a new avatar stays private; suspended users cannot upload."""

    def initial_status(self, kind: str) -> str:
        return Status.PENDING

    def holds_back(self, kind: str) -> bool:
        return conf.pre_moderated() and any(r.kind == kind and r.may_wait for r in review.reviewables())

    def upload_refusal(self, user) -> Exception | None:
        if UploadSuspension.objects.filter(user=user).exists():
            return UploadsSuspended()
        return None
