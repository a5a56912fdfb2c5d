"""Moderation decisions: each changes its target and writes its audit event in one transaction."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from moderation.metrics import count_decision
from moderation.models import ModerationEvent
from moderation.moderated import Status
from moderation.targets import describe, target_of

Action = ModerationEvent.Action
# The states a decision may start from: approving needs the stored files a rejection removed.
ALLOWED_FROM = {Action.APPROVE: {Status.PENDING}, Action.REJECT: {Status.PENDING, Status.APPROVED}}


class ReasonRequired(ValueError):
    """A rejection (and a suspension) says why."""


def _record(*, moderator, action: str, kind: str, target_id: int, reason: str = "", **copies) -> ModerationEvent:
    count_decision(kind, action)
    return ModerationEvent.objects.create(moderator=moderator, moderator_email=moderator.email, action=action,
                                          target_kind=kind, target_id=target_id, reason=reason, **copies)


def decide(*, target, action: str, moderator, reason: str = "") -> bool:
    """Approve or reject an avatar or a media file. False when it is gone or already decided that way.

    Rejecting removes the stored files after commit (a current avatar and a media file keep their row).
    """
    reason = reason.strip()
    if action == Action.REJECT and not reason:
        raise ReasonRequired("A rejection needs a reason.")
    kind = target_of(target)
    with transaction.atomic():
        locked = kind.lock(target)
        if locked is None or locked.moderation_status not in ALLOWED_FROM[action]:
            return False
        _record(moderator=moderator, action=action, kind=kind.kind, target_id=locked.pk, reason=reason,
                **describe(locked))
        if action == Action.APPROVE:
            kind.on_approve(locked)
            keeps_row = True
        else:
            keeps_row = kind.on_reject(locked)
        if keeps_row:
            locked.moderation_status = Status.APPROVED if action == Action.APPROVE else Status.REJECTED
            locked.moderation_reason = reason
            locked.moderated_by, locked.moderated_at = moderator, timezone.now()
            locked.save()
    return True


def approve(*, target, moderator) -> bool:
    return decide(target=target, action=Action.APPROVE, moderator=moderator)


def reject(*, target, moderator, reason: str) -> bool:
    return decide(target=target, action=Action.REJECT, moderator=moderator, reason=reason)


def remove(*, target, moderator, reason: str = "") -> bool:
    """Delete an avatar or a media file outright (rows and files), recording who did it."""
    kind = target_of(target)
    with transaction.atomic():
        locked = kind.lock(target)
        if locked is None:
            return False
        _record(moderator=moderator, action=kind.remove_action, kind=kind.kind, target_id=locked.pk,
                reason=reason.strip(), **describe(locked))
        return kind.remove(locked)


def _set_suspended(*, user, moderator, suspended: bool, reason: str) -> bool:
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().get(pk=user.pk)
        if locked.uploads_suspended == suspended:
            return False
        locked.uploads_suspended = suspended
        locked.save(update_fields=["uploads_suspended", "updated_at"])
        _record(moderator=moderator, action=Action.SUSPEND if suspended else Action.RESTORE,
                kind=ModerationEvent.Kind.USER, target_id=locked.pk, reason=reason.strip(),
                target_description=f"Uploads of {locked.email}", owner=locked, owner_email=locked.email)
    user.uploads_suspended = suspended
    return True


def suspend_uploads(*, user, moderator, reason: str = "") -> bool:
    """Every upload endpoint refuses the user (403 uploads_suspended) until restored. False if already so."""
    return _set_suspended(user=user, moderator=moderator, suspended=True, reason=reason)


def restore_uploads(*, user, moderator, reason: str = "") -> bool:
    return _set_suspended(user=user, moderator=moderator, suspended=False, reason=reason)


def apply_to_all(operation, objects, **kwargs) -> int:
    """Run a single-target service on each object (each in its own transaction); how many took effect."""
    return sum(1 for obj in objects if operation(target=obj, **kwargs))
