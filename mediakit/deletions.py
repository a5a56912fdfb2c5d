"""Counting the stored files really removed, and the durable record of those storage refused."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone

log = logging.getLogger(__name__)
# Longest error text kept on a record: enough for any storage's message, not a traceback dump.
ERROR_CHARS = 2000


@dataclass
class Removals:
    """Files removed while a `counting_removals()` block was open (the deleting commit included)."""

    removed: int = 0
    refused: int = 0


_tally: ContextVar[Removals | None] = ContextVar("mediakit_removals", default=None)


@contextmanager
def counting_removals() -> Iterator[Removals]:
    """Count the deletions done inside the block: open it around the transaction whose commit deletes."""
    tally = Removals()
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


def count(*, removed: int = 0, refused: int = 0) -> None:
    tally = _tally.get()
    if tally is not None:
        tally.removed += removed
        tally.refused += refused


def alias_of(storage: Storage) -> str | None:
    """The STORAGES entry this storage object was built for, if any."""
    return next((alias for alias in settings.STORAGES if storages[alias] is storage), None)


def record_refusal(alias: str | None, name: str, error: BaseException) -> None:
    """Remember that `name` must still be deleted (one record per file; attempts counted)."""
    from mediakit.models import PendingDeletion

    if alias is None:  # a storage not named in settings cannot be found again by a later retry
        log.error("a refused deletion cannot be recorded: unnamed storage", extra={"file": name})
        return
    now = timezone.now()
    message = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
    try:
        record, created = PendingDeletion.objects.get_or_create(
            storage_alias=alias, name=name, defaults={"last_error": message, "last_attempt_at": now}
        )
        if not created:
            PendingDeletion.objects.filter(pk=record.pk).update(
                attempts=F("attempts") + 1, last_error=message, last_attempt_at=now
            )
    except DatabaseError:  # the orphan sweep remains the last resort
        log.exception("could not record a refused deletion", extra={"file": name, "storage": alias})


@dataclass
class RetryReport:
    removed: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, error)


def retry_pending(*, alias: str | None = None, dry_run: bool = False, records=None) -> RetryReport:
    """Try the recorded deletions again (these `records`, of one storage, or all); forget the ones that succeed."""
    from mediakit.models import PendingDeletion

    report = RetryReport()
    pending = (PendingDeletion.objects.all() if records is None else records).order_by("pk")
    if alias is not None:
        pending = pending.filter(storage_alias=alias)
    for record in pending.iterator(chunk_size=500):
        label = f"{record.storage_alias}:{record.name}"
        if dry_run:
            report.refused.append((label, record.last_error))
            continue
        try:
            storages[record.storage_alias].delete(record.name)
        except Exception as error:  # noqa: BLE001  (any refusal is recorded, none stops the others)
            record_refusal(record.storage_alias, record.name, error)
            report.refused.append((label, f"{type(error).__name__}: {error}"))
            continue
        record.delete()
        report.removed.append(label)
    return report
