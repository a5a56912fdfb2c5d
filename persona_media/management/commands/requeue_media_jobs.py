from django.core.management.base import BaseCommand

from persona_media import jobs


class Command(BaseCommand):
    help = (
        "Queue again the media conversions whose worker died (lease expired) or that no worker took in time. "
        "Workers run this themselves; a timer may too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the media files, queue nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        due = jobs.sweep(dry_run=dry_run)
        verb = "would queue again" if dry_run else "queued again"
        if options["verbosity"] >= 1:
            listed = f": {', '.join(map(str, due))}" if due else ""
            self.stdout.write(f"{verb} {len(due)} media conversion(s){listed}")
