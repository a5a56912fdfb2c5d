"""Failed logins: 10 per email and 50 per client address in a 15-minute window, then 429; API and admin."""

import types

import django_ratelimit.core
import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
WRONG = "Wrong-Horse-42"
HOME, ELSEWHERE = "192.0.2.10", "198.51.100.7"
START = 1_800_000_000.0
WINDOW = 15 * 60


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # PBKDF2 costs ~0.5 s a try on these machines; what is counted does not depend on the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clock(settings, monkeypatch):
    """A frozen clock for django-ratelimit's windows (a test must never straddle two windows)."""
    settings.RATELIMIT_ENABLE = True
    now = types.SimpleNamespace(value=START)
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now.value))
    return now


def login(email: str, password: str = PASSWORD, address: str = HOME):
    return APIClient().post(
        "/api/v1/auth/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=address
    )


def fail(email: str, times: int, address: str = HOME) -> None:
    for _ in range(times):
        response = login(email, WRONG, address)
        assert (response.status_code, response.json()["code"]) == (401, "invalid_credentials")


def assert_locked_out(response) -> int:
    """A 429 with the API's error shape and no tokens; returns its Retry-After."""
    assert response.status_code == 429
    assert set(response.json()) == {"detail", "code"} and response.json()["code"] == "rate_limited"
    assert "access_token" not in response.cookies
    wait = int(response["Retry-After"])
    assert 1 <= wait <= WINDOW
    return wait


def test_ten_failures_lock_the_email_even_for_the_right_password(make_user):
    make_user("ada@example.com")
    make_user("bob@example.com")
    fail("ada@example.com", 10)
    assert_locked_out(login("ada@example.com"))
    assert_locked_out(login(" ADA@Example.com "))  # the same email, however it is written
    assert_locked_out(login("ada@example.com", address=ELSEWHERE))  # the email is locked, from anywhere
    assert login("bob@example.com").status_code == 200  # 10 failures are far from the address limit


def test_retry_after_runs_to_the_end_of_the_window(clock, make_user):
    make_user("ada@example.com")
    fail("ada@example.com", 10)
    wait = assert_locked_out(login("ada@example.com"))
    window_end = django_ratelimit.core._get_window("ada@example.com", WINDOW)  # per-key offset, fixed length
    assert wait == window_end - int(START) + 1
    clock.value = START + wait - 1
    assert assert_locked_out(login("ada@example.com")) == 1
    clock.value = START + wait
    assert login("ada@example.com").status_code == 200


def test_only_failures_count(make_user):
    make_user("ada@example.com")
    fail("ada@example.com", 9)
    assert login("ada@example.com").status_code == 200
    fail("ada@example.com", 1)  # the tenth failure
    assert_locked_out(login("ada@example.com"))


def test_unknown_emails_are_counted_too():
    fail("nobody@example.com", 10)
    assert_locked_out(login("nobody@example.com", WRONG))


def test_fifty_failures_lock_the_client_address(make_user):
    make_user("ada@example.com")
    for n in range(7):
        fail(f"guess-{n}@example.com", 7)  # 49 failures, no email near its own limit
    assert login("ada@example.com").status_code == 200
    fail("guess-7@example.com", 1)  # the fiftieth from this address
    assert_locked_out(login("ada@example.com"))
    assert login("ada@example.com", address=ELSEWHERE).status_code == 200


def test_limits_are_off_when_disabled(settings, make_user):
    settings.RATELIMIT_ENABLE = False
    make_user("ada@example.com")
    fail("ada@example.com", 12)
    assert login("ada@example.com").status_code == 200


def admin_login(email: str, password: str = PASSWORD):
    return Client(REMOTE_ADDR=HOME).post("/admin/login/?next=/admin/", {"username": email, "password": password})


def test_admin_login_is_throttled_the_same_way(make_user):
    make_user("boss@example.com", is_staff=True, is_superuser=True)
    for _ in range(10):
        refused = admin_login("boss@example.com", WRONG)
        assert refused.status_code == 200 and "Please enter the correct" in refused.content.decode()
    locked = admin_login("boss@example.com")
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= WINDOW
    assert "Too many failed logins" in locked.content.decode()
    assert "sessionid" not in locked.cookies
    assert_locked_out(login("boss@example.com"))  # one count for the API and the admin


def test_admin_and_api_failures_add_up(make_user):
    make_user("boss@example.com", is_staff=True, is_superuser=True)
    for _ in range(5):
        assert admin_login("boss@example.com", WRONG).status_code == 200
    fail("boss@example.com", 5)
    assert admin_login("boss@example.com").status_code == 429


def test_admin_login_still_works_below_the_limit(make_user):
    make_user("boss@example.com", is_staff=True, is_superuser=True)
    for _ in range(9):
        admin_login("boss@example.com", WRONG)
    response = admin_login("boss@example.com")
    assert response.status_code == 302 and response["Location"] == "/admin/"
