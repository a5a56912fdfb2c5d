"""The background task of persona_media, on Django's Tasks API (the django-tasks backport): the host
picks the backend (`TASKS`); with none configured, django-tasks runs it at once, in-process."""

from django_tasks import task


@task()
def convert_media(media_id: int) -> str:
    """Convert one uploaded video to the MP4 it serves (persona_media.jobs)."""
    from persona_media import jobs

    return jobs.run(media_id)
