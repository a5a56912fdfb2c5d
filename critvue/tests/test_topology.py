"""The production topology, tested for real: nginx in front of two gunicorn masters over one
PostgreSQL, one Redis and one storage (deploy/README.md). Everything goes through nginx's ports:
`both` balances over the two instances, `a` and `b` pin one of them."""
import pytest
import requests

from critvue.tests.topology import account

pytestmark = pytest.mark.django_db(transaction=True)  # the instances write to the test database


def test_login_on_one_refresh_on_the_other_logout_revokes_on_both(local_site):
    who = account(local_site, via="a")
    refreshed = requests.post(local_site.url("/api/v1/auth/refresh", "b"), json={"refresh": who.refresh})
    assert refreshed.status_code == 200 and refreshed.json()["access"]
    me = requests.get(local_site.url("/api/v1/profile/me", "b"),
                      headers={"Authorization": f"Bearer {refreshed.json()['access']}"})
    assert (me.status_code, me.json()["email"]) == (200, who.email)
    assert requests.post(local_site.url("/api/v1/auth/logout", "a"), json={"refresh": who.refresh}).status_code == 204
    for via in ("b", "a"):
        again = requests.post(local_site.url("/api/v1/auth/refresh", via), json={"refresh": who.refresh})
        assert again.status_code == 401, again.text
