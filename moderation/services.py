"""Moderation decisions: each changes its target and writes its audit event in one transaction."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from mediakit import review
from mediakit.review import Status
from mediakit.users import identity
from moderation import blocklist
from moderation.metrics import count_decision
from moderation.models import BlockedContent, ModerationEvent, Report, UploadSuspension

log = logging.getLogger(__name__)

Action = ModerationEvent.Action
Kind = ModerationEvent.Kind
# The states a decision may start from: approving needs the stored files a rejection removed.
ALLOWED_FROM = {Action.APPROVE: {Status.PENDING}, Action.REJECT: {Status.PENDING, Status.APPROVED}}
# What removing a target outright is called in the audit trail, by kind.
REMOVE_ACTIONS: dict[str, str] = {Kind.AVATAR: Action.REMOVE, Kind.MEDIA: Action.DELETE}


class ReasonRequired(ValueError):
    """A rejection (and a suspension) says why."""


def _record(
    *,
    moderator,
    action: str,
    kind: str,
    target_id: int,
    target_description: str,
    owner=None,
    reason: str = "",
    persona_name: str = "",
    filename: str = "",
) -> ModerationEvent:
    count_decision(kind, action)
    return ModerationEvent.objects.create(
        moderator=moderator,
        moderator_email=identity(moderator)[:255],
        action=action,
        target_kind=kind,
        target_id=target_id,
        target_description=target_description[:500],
        owner=owner,
        owner_email=identity(owner)[:255],
        persona_name=persona_name,
        filename=filename,
        reason=reason[:500],
    )


def decide(*, target, action: str, moderator, reason: str = "", block: bool = False) -> bool:
    """Approve or reject an avatar or a media file. False when it is gone or already decided that way.

    Rejecting removes the stored files after commit (the row stays, marked rejected, for its owner to read),
    resolves the open reports on it, and with `block` puts its content on the blocklist.
    """
    reason = reason.strip()
    if action == Action.REJECT and not reason:
        raise ReasonRequired("A rejection needs a reason.")
    reviewable = review.reviewable_for(target)
    with transaction.atomic():
        locked = reviewable.lock(target)
        if locked is None or locked.moderation_status not in ALLOWED_FROM[Action(action)]:
            return False
        _record(
            moderator=moderator,
            action=action,
            kind=reviewable.kind,
            target_id=locked.pk,
            reason=reason,
            **reviewable.describe(locked),
        )
        if action == Action.APPROVE:
            reviewable.approve(locked)
            keeps_row = True
        else:
            keeps_row = _reject(reviewable, locked, moderator=moderator, reason=reason, block=block)
        if keeps_row:
            locked.moderation_status = Status.APPROVED if action == Action.APPROVE else Status.REJECTED
            locked.moderation_reason = reason
            locked.moderated_by, locked.moderated_at = moderator, timezone.now()
            locked.save()
    return True


def approve(*, target, moderator) -> bool:
    return decide(target=target, action=Action.APPROVE, moderator=moderator)


def reject(*, target, moderator, reason: str, block: bool = False) -> bool:
    return decide(target=target, action=Action.REJECT, moderator=moderator, reason=reason, block=block)


def _reject(reviewable: review.Reviewable, locked, *, moderator, reason: str, block: bool) -> bool:
    """The effects of a rejection on the locked row; True when its row stays. Its files are still there to hash."""
    if block:
        _block(reviewable, locked, moderator=moderator, reason=reason)
    _close_reports(reviewable.kind, locked.pk, Report.Status.REJECTED, moderator)
    return reviewable.reject(locked)


def _block(reviewable: review.Reviewable, locked, *, moderator, reason: str) -> None:
    """Add the rejected item's content to the blocklist (its files are still there), with its audit event."""
    try:
        content = reviewable.fingerprint(locked)
    except Exception:  # its file cannot be read now: nothing is blocked, the rejection goes on
        log.exception("could not fingerprint %s #%s to block it", reviewable.kind, locked.pk)
        return
    if content is None or not (content.sha256 or content.picture):
        return
    description = reviewable.describe(locked)["target_description"]
    entry = blocklist.add(
        content,
        source_kind=reviewable.kind,
        source_id=locked.pk,
        description=description,
        reason=reason,
        moderator=moderator,
    )
    if entry is not None:
        what = "picture and its copies" if content.picture else "exact bytes"
        _record(
            moderator=moderator,
            action=Action.BLOCK,
            kind=Kind.BLOCKED,
            target_id=entry.pk,
            reason=reason,
            target_description=f"The {what} of {description}",
            owner=reviewable.describe(locked).get("owner"),
        )


def lift_block(*, entry: BlockedContent, moderator, reason: str = "") -> bool:
    """Take an entry off the blocklist, with its audit event; False if it was already gone."""
    with transaction.atomic():
        locked = BlockedContent.objects.select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            return False
        _record(
            moderator=moderator,
            action=Action.LIFT,
            kind=Kind.BLOCKED,
            target_id=locked.pk,
            reason=reason.strip(),
            target_description=f"The block on {locked.description}",
        )
        locked.delete()
    return True


def _close_reports(kind: str, target_id: int, outcome: str, moderator) -> int:
    return Report.objects.filter(kind=kind, target_id=target_id, status=Report.Status.OPEN).update(
        status=outcome, resolved_by=moderator, resolved_at=timezone.now()
    )


def dismiss_reports(*, kind: str, target_id: int, moderator, reason: str = "") -> int:
    """Close the open reports on one item, keeping it as it is; the audit event names the item. How many closed."""
    reviewable = review.reviewable_of(kind)
    with transaction.atomic():
        target = reviewable.model._default_manager.filter(pk=target_id).first() if reviewable else None
        locked = reviewable.lock(target) if reviewable is not None and target is not None else None
        count = _close_reports(kind, target_id, Report.Status.DISMISSED, moderator)
        if count:
            described = (
                reviewable.describe(locked)
                if reviewable is not None and locked is not None
                else {"target_description": f"{kind} #{target_id} (no longer there)"}
            )
            _record(
                moderator=moderator,
                action=Action.DISMISS,
                kind=kind,
                target_id=target_id,
                reason=reason.strip() or f"{count} report(s) dismissed",
                **described,
            )
    return count


def record_removal(sender, instance, moderator, reason: str = "", **kwargs) -> None:
    """mediakit.review.removed_by_staff: staff deleted an upload outright; the event joins their transaction."""
    reviewable = review.reviewable_for(instance)
    action = REMOVE_ACTIONS.get(reviewable.kind, Action.DELETE)
    _record(
        moderator=moderator,
        action=action,
        kind=reviewable.kind,
        target_id=instance.pk,
        reason=reason,
        **reviewable.describe(instance),
    )


def is_suspended(user) -> bool:
    return UploadSuspension.objects.filter(user=user).exists()


def _lock_user(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def suspend_uploads(*, user, moderator, reason: str = "") -> bool:
    """Every upload endpoint refuses the user (403 uploads_suspended) until restored. False if already so."""
    reason = reason.strip()
    with transaction.atomic():
        locked = _lock_user(user)
        _, created = UploadSuspension.objects.get_or_create(
            user=locked, defaults={"reason": reason[:500], "moderator": moderator}
        )
        if created:
            _record(
                moderator=moderator,
                action=Action.SUSPEND,
                kind=Kind.USER,
                target_id=locked.pk,
                reason=reason,
                target_description=f"Uploads of {identity(locked)}",
                owner=locked,
            )
    return created


def restore_uploads(*, user, moderator, reason: str = "") -> bool:
    """The user may upload again. False if their uploads were not suspended."""
    with transaction.atomic():
        locked = _lock_user(user)
        deleted, _ = UploadSuspension.objects.filter(user=locked).delete()
        if deleted:
            _record(
                moderator=moderator,
                action=Action.RESTORE,
                kind=Kind.USER,
                target_id=locked.pk,
                reason=reason.strip(),
                target_description=f"Uploads of {identity(locked)}",
                owner=locked,
            )
    return bool(deleted)


def apply_to_all(operation, objects, **kwargs) -> int:
    """Run a single-target service on each object (each in its own transaction); how many took effect."""
    return sum(1 for obj in objects if operation(target=obj, **kwargs))
