"""The seam between what is uploaded and who reviews it: apps register what they store, a reviewer app listens.

`avatars` and `persona_media` know nothing of `moderation`, and `moderation` imports neither:
- each app's models inherit `Moderated` (the state every reviewable row carries) and its
  `AppConfig.ready()` registers a `Reviewable` saying how to lock, approve, reject, remove,
  describe, show and fingerprint one of its rows;
- before storing an upload, each app calls `screen_upload()`: the reviewer may refuse the content
  (a blocklist) and hands back the upload's `Fingerprint`;
- `moderation`, when installed, installs its `Policy` (what state new uploads start in, whether an
  avatar waits for approval, whether a user may upload, what content is blocked) and listens to
  `removed_by_staff`;
- without a reviewer app, the default policy holds: uploads are live and approved at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.dispatch import Signal


class Status(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Moderated(models.Model):
    """Abstract: the moderation state of a stored upload (status, reason, by whom and when)."""

    moderation_status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    moderation_reason = models.CharField(max_length=500, blank=True, help_text="Why it was rejected.")
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The moderator of the last decision.",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_rejected(self) -> bool:
        return self.moderation_status == Status.REJECTED


@dataclass(frozen=True)
class Fingerprint:
    """What identifies an upload's content: its bytes' SHA-256 and, for a picture, its perceptual hash."""

    sha256: str
    picture: str = ""  # PDQ hex (mediakit.fingerprint); "" when not a picture, not computed or featureless
    # The uploaded bytes' SHA-256 when what is stored was converted from them (a phone's MOV, a HEIC), else ""
    source_sha256: str = ""


def _no_html(obj: Any, *args: Any) -> str:
    return "-"


@dataclass(frozen=True)
class Reviewable:
    """How a reviewer acts on one kind of stored upload; the effects stay in the owning app."""

    kind: str  # "avatar", "media": the audit trail's target kind
    model: type[Moderated]
    lock: Callable[[Any], Any]  # the row locked for a decision (inside a transaction), or None when it is gone
    approve: Callable[[Any], None]  # on the locked row, before its state is saved
    reject: Callable[[Any], bool]  # removes the stored bytes; True when the row stays (then marked rejected)
    describe: Callable[[Any], dict[str, Any]]  # what an audit event keeps of it: description, owner, names
    may_wait: bool = False  # pre-moderation applies: a new one stays private until approved
    # Models a moderator must be able to view beside `model` (variants, personas).
    related_models: Sequence[type[models.Model]] = ()
    # Admin helpers: a preview <img> at a given side for the lists (in every state: a note once the files are
    # gone), what the review page shows to judge it (a picture up to 1280 px, a video player), the preview
    # of the item on a reject page, and what a user's page shows of their uploads. Files are shown through
    # the app's staff-only admin routes, never public URLs.
    preview_html: Callable[[Any, int], str] = _no_html
    review_html: Callable[[Any], str] = _no_html
    owner_summary: Callable[[Any], str] | None = None
    # What rejecting it blocks from coming back (called on the locked row before its files go); None: nothing.
    fingerprint: Callable[[Any], Fingerprint | None] = field(default=lambda obj: None)
    # Reports: the public item of this kind a user has (what others see and may report), or None.
    reportable: Callable[[Any], Any] | None = None
    # A word for one item on moderators' pages: "avatar", "media file".
    noun: str = "item"


_reviewables: dict[str, Reviewable] = {}


def register(reviewable: Reviewable) -> None:
    """Called from the owning app's ready()."""
    _reviewables[reviewable.kind] = reviewable


def reviewables() -> list[Reviewable]:
    return list(_reviewables.values())


def reviewable_of(kind: str) -> Reviewable | None:
    return _reviewables.get(kind)


def reviewable_for(obj_or_model: Any) -> Reviewable:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for reviewable in _reviewables.values():
        if issubclass(model, reviewable.model):
            return reviewable
    raise LookupError(f"{model.__name__} is not registered for review.")


class Policy:
    """Without a reviewer: uploads are approved and live at once, and everyone may upload."""

    def initial_status(self, kind: str) -> str:
        return Status.APPROVED

    def holds_back(self, kind: str) -> bool:
        """Whether a new upload of this kind stays private until approved."""
        return False

    def upload_refusal(self, user) -> Exception | None:
        """The API error refusing this user's uploads, or None."""
        return None

    def fingerprint(self, kind: str, *, sha256: str, image=None) -> Fingerprint:
        """The upload's fingerprint; a reviewer computes what its checks need (nothing more without one)."""
        return Fingerprint(sha256)

    def content_refusal(self, kind: str, *, user, fingerprint: Fingerprint) -> Exception | None:
        """The refusal of this content before anything is stored (a blocklist), or None."""
        return None


_policy: Policy = Policy()


def install_policy(policy: Policy) -> None:
    """The reviewer app's ready() installs its policy; the last installed wins."""
    global _policy
    _policy = policy


def policy() -> Policy:
    return _policy


def screen_upload(kind: str, *, user, sha256: str, image=None) -> Fingerprint:
    """The apps' hook before they store anything: raises the reviewer's refusal of this content
    (`400 blocked_content`), or returns the upload's fingerprint. `image`: the picture the app already
    decoded (a PIL image, upright; mediakit.fingerprint.prepared() reduces it), or the uploaded picture's
    file, read from its start and left there; None for a video."""
    fingerprint = _policy.fingerprint(kind, sha256=sha256, image=image)
    refusal = _policy.content_refusal(kind, user=user, fingerprint=fingerprint)
    if refusal is not None:
        raise refusal
    return fingerprint


# Sent inside the deleting transaction when staff remove an upload outright (the admin's delete), so a
# reviewer can record who did it: sender=the model, instance=the locked row, moderator, reason.
removed_by_staff = Signal()
