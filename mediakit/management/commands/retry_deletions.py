from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mediakit.commands import say
from mediakit.deletions import retry_pending


class Command(BaseCommand):
    help = (
        "Delete again the stored files that storage refused to delete earlier; forget each one "
        "that is gone. Run it periodically (e.g. hourly) until nothing is left."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--storage", help="Only this entry of STORAGES (e.g. avatars, persona_media).")
        parser.add_argument("--dry-run", action="store_true", help="List what is pending; delete nothing.")

    def handle(self, *args, storage: str | None, dry_run: bool, verbosity: int, **options) -> None:
        if storage is not None and storage not in settings.STORAGES:
            raise CommandError(f"Unknown storage {storage!r}; choose one of: {', '.join(settings.STORAGES)}.")
        report = retry_pending(alias=storage, dry_run=dry_run)
        say(
            self,
            verbosity,
            verb="removed",
            names=report.removed,
            problems=[
                f"{'pending' if dry_run else 'still refused'}: {name} ({error})" for name, error in report.refused
            ],
        )
        if verbosity >= 1:
            if dry_run:
                self.stdout.write(f"{len(report.refused)} deletions pending. Dry run: nothing was deleted.")
            else:
                self.stdout.write(f"{len(report.removed)} files removed, {len(report.refused)} still refused.")
        if report.refused and not dry_run:
            raise CommandError(f"{len(report.refused)} files could not be deleted yet; run again later.")
