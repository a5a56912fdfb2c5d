"""Client addresses in the production topology: nginx with deploy/'s site in front of two app instances
that trust it (TRUSTED_PROXIES as deploy/critvue.env.example sets it), and clients on distinct loopback
addresses (127.0.0.2, 127.0.0.3, ...), as distinct machines would be."""

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import django_ratelimit.core
import pytest
import requests
from requests.adapters import HTTPAdapter

from critvue.tests.topology import PASSWORD, account

pytestmark = pytest.mark.django_db(transaction=True)  # the instances write to the test database
LOGIN = "/api/v1/auth/login"
WINDOW = 15 * 60  # the login limits' window (accounts/conf.py)
FAILURES_PER_ADDRESS = 50
FAILURES_PER_EMAIL = 10


class FromAddress(HTTPAdapter):
    """Connections made from one local address (a client machine of its own)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_on(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


def window_left(value: str) -> float:
    """Seconds left in the current 15-minute window of one key's count (django-ratelimit offsets it per key)."""
    return django_ratelimit.core._get_window(value, WINDOW) - time.time()


def fresh(candidates, taken: set[str]) -> str:
    """The first candidate whose window has long enough to run: the test must not straddle two windows."""
    chosen = next(c for c in candidates if c not in taken and window_left(c) > 300)
    taken.add(chosen)
    return chosen


def loopback_addresses(taken: set[str], count: int) -> list[str]:
    return [fresh((f"127.0.0.{n}" for n in range(2, 255)), taken) for _ in range(count)]


def login(session: requests.Session, url: str, email: str, password: str = PASSWORD, **headers) -> requests.Response:
    return session.post(url, json={"email": email, "password": password}, headers=headers, timeout=60)


def logged_clients(site, instance: str, message: str) -> list[str]:
    """The `client` of each JSON log line of one instance with this message."""
    lines = (json.loads(line) for line in site.app_log(instance).read_text().splitlines() if line.startswith("{"))
    return [line.get("client") for line in lines if line.get("message") == message]


def test_fifty_failures_from_one_client_lock_out_that_client_only(local_site):
    taken: set[str] = set()
    locked, neighbour, forger, direct = loopback_addresses(taken, 4)
    who = account(local_site)
    # Failures for unknown emails: ten per email at most, or the email's own limit would stop them first.
    emails = [
        fresh((f"nobody-{uuid.uuid4().hex[:10]}@example.com" for _ in iter(int, 1)), taken)
        for _ in range(FAILURES_PER_ADDRESS // FAILURES_PER_EMAIL)
    ]
    attacker = client_on(locked)
    with ThreadPoolExecutor(8) as pool:
        failures = list(
            pool.map(
                lambda email: login(attacker, local_site.url(LOGIN), email, "Wrong-Horse-42"),
                emails * FAILURES_PER_EMAIL,
            )
        )
    assert [f.status_code for f in failures] == [401] * FAILURES_PER_ADDRESS

    refused = login(attacker, local_site.url(LOGIN), who.email)  # even the right password
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW
    assert "access_token" not in refused.cookies
    assert login(client_on(neighbour), local_site.url(LOGIN), who.email).status_code == 200

    # A forged X-Forwarded-For changes nothing: nginx replaces the header, and an app server believes it
    # only from a trusted proxy, which a client connecting straight to it is not.
    assert login(client_on(forger), local_site.url(LOGIN), who.email, **{"X-Forwarded-For": locked}).status_code == 200
    assert (
        login(client_on(direct), local_site.app_url(LOGIN, "a"), who.email, **{"X-Forwarded-For": locked}).status_code
        == 200
    )
    for url in (local_site.url(LOGIN), local_site.app_url(LOGIN, "b")):
        assert login(attacker, url, who.email, **{"X-Forwarded-For": neighbour}).status_code == 429

    # The logs name the client behind nginx: each failure once, by whichever instance answered it (the
    # instances write their lines unbuffered, before they answer).
    failed = [c for i in "ab" for c in logged_clients(local_site, i, f"Unauthorized: {LOGIN}") if c == locked]
    assert len(failed) == FAILURES_PER_ADDRESS
