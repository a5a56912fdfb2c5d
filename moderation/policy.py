"""Moderation's policy for the apps it moderates (mediakit.review): installed by MODERATION's ready()."""

from mediakit import review
from mediakit.review import Fingerprint, Status
from moderation import blocklist, conf
from moderation.models import UploadSuspension
from moderation.permissions import UploadsSuspended


class ModerationPolicy(review.Policy):
    """New uploads wait for review; in pre mode a new avatar stays private; suspended users cannot upload;
    blocked content cannot come back."""

    def initial_status(self, kind: str) -> str:
        return Status.PENDING

    def holds_back(self, kind: str) -> bool:
        return conf.pre_moderated() and any(r.kind == kind and r.may_wait for r in review.reviewables())

    def upload_refusal(self, user) -> Exception | None:
        if UploadSuspension.objects.filter(user=user).exists():
            return UploadsSuspended()
        return None

    def fingerprint(self, kind: str, *, sha256: str, image=None) -> Fingerprint:
        return blocklist.fingerprint_of(sha256, image)

    def content_refusal(self, kind: str, *, user, fingerprint: Fingerprint) -> Exception | None:
        return blocklist.ContentBlocked() if blocklist.match(fingerprint) is not None else None
