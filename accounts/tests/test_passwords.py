"""Passwords are at most 128 characters wherever one is set or checked, refused before any hashing."""

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
LONGEST = "Tr0ub4dor&3-" * 10 + "horse-42"  # 128 characters
MEGABYTE = "x" * 1024 * 1024


class RecordingHasher(MD5PasswordHasher):
    """A real (fast) hasher that remembers the length of every password it was given."""

    lengths: list[int] = []

    def encode(self, password: str, salt: str) -> str:
        RecordingHasher.lengths.append(len(password))
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def hashed(settings) -> list[int]:
    settings.PASSWORD_HASHERS = [f"{__name__}.RecordingHasher"]
    RecordingHasher.lengths = []
    return RecordingHasher.lengths


def test_the_longest_password_is_accepted(hashed):
    assert len(LONGEST) == 128
    client = APIClient()
    assert (
        client.post(
            "/api/v1/auth/register", {"email": "ada@example.com", "password": LONGEST}, format="json"
        ).status_code
        == 201
    )
    assert (
        client.post("/api/v1/auth/login", {"email": "ada@example.com", "password": LONGEST}, format="json").status_code
        == 200
    )
    assert max(hashed) == 128


@pytest.mark.parametrize("password", [LONGEST + "x", MEGABYTE], ids=["129", "1MiB"])
def test_register_refuses_a_longer_password_before_hashing(hashed, password):
    response = APIClient().post(
        "/api/v1/auth/register", {"email": "ada@example.com", "password": password}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("max_length", ["password"])
    assert "128" in body["detail"]
    assert not User.objects.exists()
    assert hashed == []


@pytest.mark.parametrize("password", [LONGEST + "x", MEGABYTE], ids=["129", "1MiB"])
def test_login_refuses_a_longer_password_before_hashing(make_user, hashed, password):
    make_user("ada@example.com")
    hashed.clear()
    response = APIClient().post("/api/v1/auth/login", {"email": "ada@example.com", "password": password}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "max_length")
    assert "access_token" not in response.cookies
    assert hashed == []


def test_admin_login_refuses_a_longer_password_before_hashing(make_user, hashed):
    make_user("boss@example.com", is_staff=True, is_superuser=True)
    hashed.clear()
    response = Client().post("/admin/login/", {"username": "boss@example.com", "password": MEGABYTE})
    assert response.status_code == 200
    assert "at most 128 characters" in response.content.decode()
    assert "sessionid" not in response.cookies
    assert hashed == []


def test_admin_cannot_set_a_longer_password(moderator, hashed):
    too_long = LONGEST + "x"
    response = moderator.post(
        "/admin/accounts/user/add/",
        {"email": "new@example.com", "password1": too_long, "password2": too_long, "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "at most 128 characters" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    assert 129 not in hashed


def test_every_password_validation_refuses_129_characters():
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(LONGEST + "x")
    assert [e.code for e in refused.value.error_list] == ["password_too_long"]
    password_validation.validate_password(LONGEST)
    assert "at most 128 characters" in " ".join(password_validation.password_validators_help_texts())
