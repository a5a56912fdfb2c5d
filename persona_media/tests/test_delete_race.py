"""Concurrent DELETEs of one persona or one media file, over real HTTP: one 204, the others 404,
and nothing left behind."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db.models.signals import post_init
from rest_framework_simplejwt.tokens import AccessToken

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import stored_files

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 3


def hold_until_all_have_loaded(model, count: int) -> threading.Barrier:
    """Each request waits, once it has loaded the row, until every racer has loaded it."""
    barrier = threading.Barrier(count)
    waited: set[int] = set()

    def wait(sender, instance, **kwargs) -> None:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait(timeout=30)

    post_init.connect(wait, sender=model, weak=False, dispatch_uid="test-delete-race")
    return barrier


@pytest.mark.parametrize(
    ("model", "path"),
    [(Persona, "/api/v1/personas/{persona}"), (MediaFile, "/upload/files/{media}")],
    ids=["persona", "media-file"],
)
def test_concurrent_deletes_have_one_winner(live_server, user, persona, media, model, path):
    assert stored_files() == sorted(media.stored_names)
    headers = {"Authorization": f"Bearer {AccessToken.for_user(user)}"}
    url = live_server.url + path.format(persona=persona.pk, media=media.pk)
    barrier = hold_until_all_have_loaded(model, RACERS)
    try:
        with ThreadPoolExecutor(RACERS) as pool:
            responses = list(pool.map(lambda _: requests.delete(url, headers=headers, timeout=60), range(RACERS)))
    finally:
        post_init.disconnect(sender=model, dispatch_uid="test-delete-race")

    assert not barrier.broken  # every request had found the persona before any deleted it
    assert sorted(r.status_code for r in responses) == [204] + [404] * (RACERS - 1), [r.text for r in responses]
    for response in responses:
        if response.status_code == 404:
            assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert not model.objects.exists()
    assert not MediaFile.objects.exists()
    assert stored_files() == []
