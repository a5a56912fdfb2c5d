"""The client's address behind trusted proxies (TRUSTED_PROXIES): the rule, and the login limit using it.

Through real nginx, with clients on distinct loopback addresses: test_topology_clients.py."""

import pytest
from rest_framework.test import APIClient

from critvue.clients import parse_networks, resolve

PROXIES = parse_networks(["127.0.0.1", "::1", "10.0.0.0/8"])


@pytest.mark.parametrize(
    "peer, forwarded_for, client",
    [
        ("203.0.113.9", "", "203.0.113.9"),  # no proxy at all
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # an untrusted peer's header is ignored
        ("127.0.0.1", "", "127.0.0.1"),  # a trusted peer that forwards nobody
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),  # nginx in front
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # what the client forged stays left of it
        ("127.0.0.1", "198.51.100.1, 10.0.0.7", "198.51.100.1"),  # a balancer, then nginx
        ("127.0.0.1", "6.6.6.6,198.51.100.1,10.0.0.7", "198.51.100.1"),  # header lists joined without spaces
        ("127.0.0.1", "10.0.0.9, 10.0.0.7", "10.0.0.9"),  # only proxies: the farthest one
        ("127.0.0.1", "unknown, 10.0.0.7", "10.0.0.7"),  # not an address: the last trusted hop
        ("127.0.0.1", "198.51.100.1:4711", "127.0.0.1"),  # nor is address:port
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),  # IPv4 as IPv6 is the same peer
        ("127.0.0.1", "::ffff:198.51.100.1", "198.51.100.1"),
        ("10.1.2.3", "198.51.100.1", "198.51.100.1"),  # any address of a trusted block
        ("11.1.2.3", "198.51.100.1", "11.1.2.3"),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(peer, forwarded_for, client):
    assert resolve(peer, forwarded_for, PROXIES) == client


def test_nothing_is_believed_without_trusted_proxies():
    assert resolve("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"


@pytest.mark.parametrize("entry", ["nginx", "10.0.0.0/33", "127.0.0.1:80", ""])
def test_a_bad_entry_is_named(entry):
    with pytest.raises(ValueError, match="neither an IP address nor a CIDR block"):
        parse_networks(["127.0.0.1", entry])


def login(email, password, peer, forwarded_for=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return APIClient().post(
        "/api/v1/auth/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=peer, **headers
    )


@pytest.mark.django_db
def test_the_login_limit_counts_the_client_behind_a_trusted_proxy(settings, clock, make_user):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.LOGIN_FAILURES_PER_ADDRESS = "3/15m"
    user = make_user()
    for n in range(3):
        assert login(f"nobody-{n}@example.com", "Wrong-Horse-42", "127.0.0.1", "198.51.100.1").status_code == 401
    assert login(user.email, "Correct-Horse-42", "127.0.0.1", "198.51.100.1").status_code == 429
    assert login(user.email, "Correct-Horse-42", "127.0.0.1", "198.51.100.2").status_code == 200
    # Straight from the locked client, a forged header does not get it out; nor does it lock the proxy.
    assert login(user.email, "Correct-Horse-42", "198.51.100.1", "198.51.100.3").status_code == 429
    assert login(user.email, "Correct-Horse-42", "127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_changes_nothing(settings, clock, make_user):
    settings.TRUSTED_PROXIES = []
    settings.LOGIN_FAILURES_PER_ADDRESS = "3/15m"
    user = make_user()
    for n in range(3):
        assert login(f"nobody-{n}@example.com", "Wrong-Horse-42", "127.0.0.1", f"198.51.100.{n}").status_code == 401
    assert login(user.email, "Correct-Horse-42", "127.0.0.1", "198.51.100.9").status_code == 429
