from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from avatars import conf, services


class Command(BaseCommand):
    help = "Remove avatar files that no variant row references and that are older than --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=conf.ORPHAN_DAYS,
                            help=f"Only files last modified more than this many days ago (default {conf.ORPHAN_DAYS}).")
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; remove nothing.")

    def handle(self, *args, days: int, dry_run: bool, verbosity: int, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        report = services.sweep_orphaned_files(older_than=timedelta(days=days), dry_run=dry_run)
        if verbosity >= 2:
            for name in report.orphans:
                self.stdout.write(f"{'would remove' if dry_run else 'removed'} {name}")
        if verbosity >= 1:
            outcome = (f"would remove {len(report.orphans)}, {report.bytes_freed} bytes would be freed" if dry_run
                       else f"{report.removed} removed, {report.bytes_freed} bytes freed")
            self.stdout.write(f"{report.counted} file(s) counted, {report.kept} kept, {outcome}.")
