"""Concurrent registrations with one email, over real HTTP: exactly one 201, the others the taken-email 400."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Correct-Horse-42"
RACERS = 4


class WaitForAll:
    """A password validator that holds every registration until all racers have passed validation.

    By then each has seen the email free, so they all reach the INSERT together.
    """

    barrier = threading.Barrier(RACERS)

    def validate(self, password: str, user=None) -> None:
        WaitForAll.barrier.wait(timeout=30)


@pytest.fixture
def racing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUTH_PASSWORD_VALIDATORS = [*settings.AUTH_PASSWORD_VALIDATORS, {"NAME": f"{__name__}.WaitForAll"}]
    WaitForAll.barrier = threading.Barrier(RACERS)


def test_concurrent_registrations_of_one_email_have_one_winner(live_server, racing):
    def register(n: int) -> requests.Response:
        body = {"email": "Ada@Example.com" if n % 2 else "ada@example.com", "password": PASSWORD}
        return requests.post(f"{live_server.url}/api/v1/auth/register", json=body, timeout=60)

    with ThreadPoolExecutor(RACERS) as pool:
        responses = list(pool.map(register, range(RACERS)))

    assert not WaitForAll.barrier.broken  # all four really were in flight at once
    assert sorted(r.status_code for r in responses) == [201] + [400] * (RACERS - 1), [r.text for r in responses]
    assert User.objects.filter(email="ada@example.com").count() == 1

    # Afterwards a taken email is refused by validate_email, before any password validator runs.
    taken = (
        APIClient()
        .post("/api/v1/auth/register", {"email": "ada@example.com", "password": PASSWORD}, format="json")
        .json()
    )
    assert taken["code"] == "unique"
    for response in responses:
        if response.status_code == 400:
            assert response.json() == taken  # the very answer a taken email gets afterwards
