"""Stored files follow their rows: removed after the deleting transaction commits, never before."""

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.storage import Storage
from django.db import connections, transaction

from mediakit import deletions

log = logging.getLogger(__name__)


def delete_stored(storage: Storage, names: Iterable[str], *, alias: str | None = None) -> int:
    """Delete these names now; returns how many were removed.

    A refusal is logged and recorded (mediakit.models.PendingDeletion) for `retry_deletions`,
    never raised: the rows are gone already, and nothing serves a file without its row.
    """
    removed = 0
    for name in names:
        try:
            storage.delete(name)
        except Exception as error:  # noqa: BLE001  (a storage error must not undo a committed delete)
            log.exception("could not delete a stored file", extra={"file": name})
            deletions.record_refusal(alias or deletions.alias_of(storage), name, error)
            deletions.count(refused=1)
            continue
        removed += 1
    deletions.count(removed=removed)
    return removed


def delete_on_commit(
    storage: Storage, names: Iterable[str], using: str | None = None, *, alias: str | None = None
) -> None:
    """Delete these names once the current transaction commits (at once outside a transaction)."""
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: delete_stored(storage, names, alias=alias), using=using)


def file_cleanup_handler(storage_alias: Callable[[], str], names_of: Callable[[Any], Iterable[str]]):
    """A post_delete receiver that removes the instance's stored files after commit (skips fixtures).

    `storage_alias()` names the STORAGES entry, read when a row goes (settings may change at run time).
    """
    from django.core.files.storage import storages

    def handler(sender, instance, using, origin=None, **kwargs):
        if kwargs.get("raw"):
            return
        alias = storage_alias()
        delete_on_commit(storages[alias], names_of(instance), using=using, alias=alias)

    return handler


class WrittenFiles:
    """Names saved inside `with WrittenFiles(storage) as written:`; all removed again if the block raises.

    Put the row writes (their `transaction.atomic()`) inside the block, so a failed commit also
    takes the new files with it.
    """

    def __init__(self, storage: Storage):
        self.storage = storage
        self.names: list[str] = []

    def save(self, name: str, content) -> str:
        # Free names are kept as given; knowing it up front lets a save that fails part-way
        # (a half-written local file, an upload that stored but then raised) be cleaned up too.
        name = self.storage.get_available_name(name)
        self.names.append(name)
        saved = self.storage.save(name, content)
        if saved != name:
            self.names.append(saved)
        return saved

    def __enter__(self) -> "WrittenFiles":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            delete_within(self.storage, self.names, CLEANUP_WAIT_SECONDS)


# A storage that hangs must not hold the failed request past its deadline (API.md: an answer within
# 15 s): its clean-up is waited for this long, then finishes in the background, bounded by the
# storage's own timeouts.
CLEANUP_WAIT_SECONDS = 3.0


def delete_within(storage: Storage, names: Iterable[str], seconds: float) -> bool:
    """delete_stored in a thread, waited for at most `seconds`; whether it finished in time."""
    names = list(names)
    if not names:
        return True

    def clean_up() -> None:
        try:
            delete_stored(storage, names)
        finally:
            connections.close_all()  # whatever this thread opened (none today), it does not keep

    worker = threading.Thread(target=clean_up, name="storage-cleanup", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        log.warning("storage clean-up still running in the background", extra={"files": names})
    return not worker.is_alive()
