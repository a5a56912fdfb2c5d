from django.core.management.base import BaseCommand, CommandError

from persona_media.backfill import fill_in_safely, lacking
from persona_media.models import MediaFile


class Command(BaseCommand):
    help = (
        "Make the previews and metadata (size, duration, fps, codecs, bitrate, BlurHash) of media files "
        "stored before uploads made them; report files that cannot be read. Running it again does nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the files that lack a preview; change nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=100, help="Rows read from the database at a time (default 100)."
        )

    def handle(self, *args, dry_run: bool, batch_size: int, verbosity: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        total = MediaFile.objects.filter(preview_name="").count()
        if dry_run:
            self.stdout.write(f"{total} media files lack a preview. Dry run: nothing was changed.")
            return
        made = failed = done = 0
        for batch in lacking(batch_size):
            for media in batch:
                outcome = fill_in_safely(media)
                done += 1
                made += outcome.made
                if outcome.problem:
                    failed += 1
                    self.stderr.write(
                        f"media file {media.pk} ({media.stored_name}): could not be read: {outcome.problem}"
                    )
                elif verbosity >= 2:
                    self.stdout.write(f"[{done}/{total}] media file {media.pk}: preview made")
            if verbosity >= 1:
                self.stdout.write(f"{done}/{total} done")
        if verbosity >= 1:
            self.stdout.write(f"{made} previews made, {failed} files could not be read ({total} lacked a preview).")
