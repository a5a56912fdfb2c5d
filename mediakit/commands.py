"""The orphan sweep as a management command, alike for every app that stores files for its rows."""

from collections.abc import Callable
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from mediakit.deletions import retry_pending
from mediakit.orphans import CleanupReport


def say(command: BaseCommand, verbosity: int, *, verb: str, names=(), problems=()) -> None:
    """`{verb} {name}` for each file at verbosity 2, and each problem on stderr at verbosity 1."""
    if verbosity >= 2:
        for name in names:
            command.stdout.write(f"{verb} {name}")
    if verbosity >= 1:
        for problem in problems:
            command.stderr.write(problem)


class CleanupCommand(BaseCommand):
    """Subclasses name what they sweep (`what`, `row_label`, `storage_alias`), their default age and `cleanup()`."""

    what = "stored files"
    row_label = "row"
    default_days = 30
    # The STORAGES entry swept, read when the command runs: its deletions refused earlier are retried first.
    storage_alias: Callable[[], str] | None = None

    @property
    def help(self) -> str:  # type: ignore[override]  # worded from the subclass's attributes
        return (
            f"Remove {self.what} that no row references and that are older than --days days; "
            "also report rows whose file is missing."
        )

    def cleanup(self, *, older_than: timedelta, dry_run: bool) -> CleanupReport:
        raise NotImplementedError

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=self.default_days,
            help=f"Only remove files last modified more than this many days ago (default {self.default_days}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; remove nothing.")

    def handle(self, *args, days: int, dry_run: bool, verbosity: int, **options) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        if self.storage_alias is not None and not dry_run:
            retried = retry_pending(alias=self.storage_alias())
            if verbosity >= 1 and (retried.removed or retried.refused):
                self.stdout.write(
                    f"{len(retried.removed)} deletions refused earlier are done; {len(retried.refused)} still refused."
                )
        report = self.cleanup(older_than=timedelta(days=days), dry_run=dry_run)
        sweep = report.sweep
        verb = "would remove" if dry_run else "removed"
        # A dry run is for reading what would go: it lists at the default verbosity, a real run at 2.
        listing = verbosity + 1 if dry_run else verbosity
        say(
            self,
            listing,
            verb=verb,
            names=[*sweep.orphans, *(f"empty folder {f}/" for f in sweep.folders)],
            problems=[f"{self.row_label} {pk}: stored file {name} is missing" for pk, name in report.missing],
        )
        if verbosity >= 1:
            self.stdout.write(
                f"{sweep.counted} files checked, {sweep.kept} kept, {len(sweep.orphans)} orphaned "
                f"({verb} {sweep.bytes_freed} bytes), {len(sweep.folders)} empty folders; "
                f"{len(report.missing)} rows with a missing file."
                + (" Dry run: nothing was removed." if dry_run else "")
            )
