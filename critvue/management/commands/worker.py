"""`manage.py worker`: Critvue's background worker (Procfile `worker:`), django-tasks-db's `db_worker`
with the media sweep beside it, so a job left by a worker that died is queued again without any timer.

Run as many as you like, on any machine that reaches the database and the storage.
"""

import logging
import threading

from django.db import close_old_connections, connections
from django_tasks_db.management.commands import db_worker

from persona_media import conf, jobs

log = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = "Run background jobs (django-tasks-db's db_worker) and the media sweep every SWEEP_SECONDS."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=None,
            help="Seconds between two sweeps (default: PERSONA_MEDIA['SWEEP_SECONDS']); 0: never.",
        )

    def handle(self, *args, **options) -> None:
        sweep_every = options.pop("sweep_every", None)
        every = conf.sweep_seconds() if sweep_every is None else sweep_every
        if every > 0:
            threading.Thread(target=sweeping, args=(every,), name="media-sweep", daemon=True).start()
        super().handle(*args, **options)


def sweeping(every: float) -> None:
    """Sweep now and every `every` seconds for as long as the worker lives; a failed sweep is logged."""
    stop = threading.Event()
    while True:
        try:
            close_old_connections()
            requeued = jobs.sweep()
            if requeued:
                log.warning("media conversions queued again", extra={"media_files": requeued})
        except Exception:  # noqa: BLE001 - a database that is down now may be back at the next sweep
            log.exception("media sweep failed")
        finally:
            connections.close_all()
        stop.wait(every)
