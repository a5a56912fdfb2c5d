"""Finding and removing stored files that no row references."""
import logging
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.storage import Storage
from django.db.models import QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)
# Probe files of the health check come and go in a second; they are never orphans.
IGNORED_PREFIXES = (".health/",)


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name below `folder`, depth first, as the storage names it (posix separators)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage folder that nothing was written to yet
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from walk(storage, prefix + sub)


@dataclass
class SweepReport:
    counted: int = 0
    kept: int = 0
    removed: int = 0
    bytes_freed: int = 0
    orphans: list[str] = field(default_factory=list)


def sweep_orphans(storage: Storage, *, referenced: Container[str], older_than: timedelta,
                  dry_run: bool = False, now: datetime | None = None, folder: str = "") -> SweepReport:
    """Remove (or with dry_run only list) files below `folder` not in `referenced` and last modified
    before the cut-off. Nothing outside `folder` is looked at: the storage may hold others' files."""
    cutoff = (now or timezone.now()) - older_than
    report = SweepReport()
    for name in walk(storage, folder.strip("/")):
        if name.startswith(IGNORED_PREFIXES):
            continue
        report.counted += 1
        if name in referenced or storage.get_modified_time(name) > cutoff:
            report.kept += 1
            continue
        size = storage.size(name)
        report.orphans.append(name)
        if not dry_run:
            storage.delete(name)
            report.removed += 1
            report.bytes_freed += size
            log.info("removed orphaned file", extra={"file": name, "bytes": size})
        else:
            report.bytes_freed += size
    return report


# Rows looked up at a time when naming the rows whose file is missing.
MISSING_BATCH = 500


@dataclass
class CleanupReport:
    sweep: SweepReport
    missing: list[tuple[int, str]] = field(default_factory=list)  # (row pk, stored name)


def cleanup(storage: Storage, rows: QuerySet, *, older_than: timedelta, dry_run: bool = False,
            also: tuple[str, ...] = (), folder: str = "") -> CleanupReport:
    """Sweep the files below `folder` that none of `rows` names (in `stored_name`, or the fields in `also`,
    such as a preview's), and list the rows whose `stored_name` file is gone."""
    names = set(rows.values_list("stored_name", flat=True).iterator(chunk_size=2000))
    referenced = names.union(*(rows.exclude(**{field: ""}).values_list(field, flat=True).iterator(chunk_size=2000)
                               for field in also))
    sweep = sweep_orphans(storage, referenced=referenced, older_than=older_than, dry_run=dry_run, folder=folder)
    absent = sorted(names.difference(walk(storage, folder.strip("/"))))
    missing: list[tuple[int, str]] = []
    for start in range(0, len(absent), MISSING_BATCH):
        batch = absent[start:start + MISSING_BATCH]
        missing += rows.filter(stored_name__in=batch).order_by("pk").values_list("pk", "stored_name")
    return CleanupReport(sweep=sweep, missing=missing)
