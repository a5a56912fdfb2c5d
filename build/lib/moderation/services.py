"""Moderation decisions: each changes its target and writes its audit event in one transaction."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from mediakit import review
from mediakit.review import Status
from mediakit.users import identity
from moderation.metrics import count_decision
from moderation.models import ModerationEvent, UploadSuspension

Action = ModerationEvent.Action
Kind = ModerationEvent.Kind
# The states a decision may start from: approving needs the stored files a rejection removed.
ALLOWED_FROM = {Action.APPROVE: {Status.PENDING}, Action.REJECT: {Status.PENDING, Status.APPROVED}}
# What removing a target outright is called in the audit trail, by kind.
REMOVE_ACTIONS = {Kind.AVATAR: Action.REMOVE, Kind.MEDIA: Action.DELETE}


class ReasonRequired(ValueError):
    """A rejection (and a suspension) says why."""


def _record(*, moderator, action: str, kind: str, target_id: int, target_description: str, owner=None,
            reason: str = "", persona_name: str = "", filename: str = "") -> ModerationEvent:
    count_decision(kind, action)
    return ModerationEvent.objects.create(
        moderator=moderator, moderator_email=identity(moderator)[:255], action=action, target_kind=kind,
        target_id=target_id, target_description=target_description[:500], owner=owner,
        owner_email=identity(owner)[:255], persona_name=persona_name, filename=filename, reason=reason[:500])


def decide(*, target, action: str, moderator, reason: str = "") -> bool:
    """Approve or reject an avatar or a media file. False when it is gone or already decided that way.

    Rejecting removes the stored files after commit (a current avatar and a media file keep their row).
    """
    reason = reason.strip()
    if action == Action.REJECT and not reason:
        raise ReasonRequired("A rejection needs a reason.")
    reviewable = review.reviewable_for(target)
    with transaction.atomic():
        locked = reviewable.lock(target)
        if locked is None or locked.moderation_status not in ALLOWED_FROM[action]:
            return False
        _record(moderator=moderator, action=action, kind=reviewable.kind, target_id=locked.pk, reason=reason,
                **reviewable.describe(locked))
        if action == Action.APPROVE:
            reviewable.approve(locked)
            keeps_row = True
        else:
            keeps_row = reviewable.reject(locked)
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


def record_removal(sender, instance, moderator, reason: str = "", **kwargs) -> None:
    """mediakit.review.removed_by_staff: staff deleted an upload outright; the event joins their transaction."""
    reviewable = review.reviewable_for(instance)
    _record(moderator=moderator, action=REMOVE_ACTIONS.get(reviewable.kind, Action.DELETE), kind=reviewable.kind,
            target_id=instance.pk, reason=reason, **reviewable.describe(instance))


def is_suspended(user) -> bool:
    return UploadSuspension.objects.filter(user=user).exists()


def _lock_user(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def suspend_uploads(*, user, moderator, reason: str = "") -> bool:
    """Every upload endpoint refuses the user (403 uploads_suspended) until restored. False if already so."""
    reason = reason.strip()
    with transaction.atomic():
        locked = _lock_user(user)
        _, created = UploadSuspension.objects.get_or_create(user=locked, defaults={
            "reason": reason[:500], "moderator": moderator})
        if created:
            _record(moderator=moderator, action=Action.SUSPEND, kind=Kind.USER, target_id=locked.pk, reason=reason,
                    target_description=f"Uploads of {identity(locked)}", owner=locked)
    return created


def restore_uploads(*, user, moderator, reason: str = "") -> bool:
    """The user may upload again. False if their uploads were not suspended."""
    with transaction.atomic():
        locked = _lock_user(user)
        deleted, _ = UploadSuspension.objects.filter(user=locked).delete()
        if deleted:
            _record(moderator=moderator, action=Action.RESTORE, kind=Kind.USER, target_id=locked.pk,
                    reason=reason.strip(), target_description=f"Uploads of {identity(locked)}", owner=locked)
    return bool(deleted)


def apply_to_all(operation, objects, **kwargs) -> int:
    """Run a single-target service on each object (each in its own transaction); how many took effect."""
    return sum(1 for obj in objects if operation(target=obj, **kwargs))
