"""Finding and removing stored files that no row references."""

import logging
import os
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.storage import Storage
from django.db.models import QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)
# Probe files of the health check come and go in a second; they are never orphans.
IGNORED_PREFIXES = (".health/",)
# A folder that has held nothing for this long was emptied by deletions: an upload creates its folder and
# writes its file in the same instant, so it never leaves one empty that long.
EMPTY_FOLDER_GRACE = timedelta(hours=1)


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
    folders: list[str] = field(default_factory=list)  # empty folders removed (or, dry, that would be)


def sweep_orphans(
    storage: Storage,
    *,
    referenced: Container[str],
    older_than: timedelta,
    dry_run: bool = False,
    now: datetime | None = None,
    folder: str = "",
) -> SweepReport:
    """Remove (or with dry_run only list) files below `folder` not in `referenced` and last modified
    before the cut-off. Nothing outside `folder` is looked at: the storage may hold others' files."""
    cutoff = (now or timezone.now()) - older_than
    report = SweepReport()
    ages = folder_ages(storage, folder)
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
    report.folders = empty_folders(storage, folder, now=now, dry_run=dry_run, removed=set(report.orphans), ages=ages)
    return report


def _local_root(storage: Storage, folder: str) -> Path | None:
    """The folder on disk of a local storage; None for storages without folders (S3 has prefixes only)."""
    try:
        root = Path(storage.path(folder.strip("/")))
    except NotImplementedError:
        return None
    return root if root.is_dir() else None


def folder_ages(storage: Storage, folder: str = "") -> dict[Path, float]:
    """When each folder below `folder` last changed; read before a sweep deletes anything, since removing
    a file renews its folder's time, and removing a folder its parent's."""
    root = _local_root(storage, folder)
    return {} if root is None else {Path(path): os.stat(path).st_mtime for path, _, _ in os.walk(root)}


def empty_folders(
    storage: Storage,
    folder: str = "",
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    removed: Container[str] = (),
    ages: dict[Path, float] | None = None,
) -> list[str]:
    """Remove (with dry_run only list) the folders below `folder` that hold nothing — per-user and
    per-persona folders their deletions emptied — deepest first; `folder` itself stays, and so does any
    folder changed within EMPTY_FOLDER_GRACE (by `ages`, when given). A dry run counts the files in
    `removed` as gone. Only local storages have folders."""
    base = folder.strip("/")
    root = _local_root(storage, base)
    if root is None:
        return []
    cutoff = ((now or timezone.now()) - EMPTY_FOLDER_GRACE).timestamp()
    ages = {**folder_ages(storage, base), **(ages or {})}
    emptied: set[Path] = set()
    for walked, subfolders, files in reversed(list(os.walk(root))):  # children before their parents
        path = Path(walked)
        name = path.relative_to(root).as_posix()
        stored = f"{base}/{name}" if base else name
        if path == root or f"{stored}/".startswith(IGNORED_PREFIXES) or ages[path] > cutoff:
            continue
        if any(f"{stored}/{file}" not in removed for file in files) if dry_run else files:
            continue
        if any(path / sub not in emptied for sub in subfolders):
            continue
        if not dry_run:
            try:
                path.rmdir()
            except OSError:  # something arrived meanwhile: it is no longer empty
                continue
            log.info("removed empty folder", extra={"folder": stored})
        emptied.add(path)
    return sorted((p.relative_to(root).as_posix() for p in emptied), key=lambda n: (-n.count("/"), n))


# Rows looked up at a time when naming the rows whose file is missing.
MISSING_BATCH = 500


@dataclass
class CleanupReport:
    sweep: SweepReport
    missing: list[tuple[int, str]] = field(default_factory=list)  # (row pk, stored name)


def cleanup(
    storage: Storage,
    rows: QuerySet,
    *,
    older_than: timedelta,
    dry_run: bool = False,
    also: tuple[str, ...] = (),
    folder: str = "",
) -> CleanupReport:
    """Sweep the files below `folder` that none of `rows` names (in `stored_name`, or the fields in `also`,
    such as a preview's), and list the rows whose `stored_name` file is gone."""
    names = set(rows.values_list("stored_name", flat=True).iterator(chunk_size=2000))
    referenced = names.union(
        *(rows.exclude(**{field: ""}).values_list(field, flat=True).iterator(chunk_size=2000) for field in also)
    )
    sweep = sweep_orphans(storage, referenced=referenced, older_than=older_than, dry_run=dry_run, folder=folder)
    absent = sorted(names.difference(walk(storage, folder.strip("/"))))
    missing: list[tuple[int, str]] = []
    for start in range(0, len(absent), MISSING_BATCH):
        batch = absent[start : start + MISSING_BATCH]
        missing += rows.filter(stored_name__in=batch).order_by("pk").values_list("pk", "stored_name")
    return CleanupReport(sweep=sweep, missing=missing)
