"""Register, log in, refresh, log out; Bearer and cookie authentication; the cross-site rule."""

import base64
import json
from datetime import timedelta

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"


def login(client: APIClient, email: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")


def test_register_login_profile_round_trip():
    client = APIClient()
    created = client.post(
        "/api/v1/auth/register", {"email": "Ada@Example.com", "password": PASSWORD, "full_name": "Ada L"}, format="json"
    )
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "email": "ada@example.com", "full_name": "Ada L"}

    response = login(client, "ADA@example.com")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"] == created.json()
    for name in ("access_token", "refresh_token"):
        cookie = response.cookies[name]
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["secure"]

    profile = APIClient().get("/api/v1/profile/me", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert profile.status_code == 200
    assert profile.json()["email"] == "ada@example.com" and profile.json()["avatar_url"] is None
    assert set(profile.json()) == {
        "id",
        "email",
        "full_name",
        "avatar_url",
        "bio",
        "title",
        "specialty_tags",
        "badges",
        "role",
        "is_verified",
        "created_at",
        "updated_at",
    }


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "taken@example.com", "password": PASSWORD}, "email"),
        ({"email": "TAKEN@example.com", "password": PASSWORD}, "email"),
        ({"email": "new@example.com", "password": "short"}, "password"),
        ({"email": "new@example.com", "password": "12345678901"}, "password"),
        ({"email": "new@example.com", "password": "password123"}, "password"),
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"password": PASSWORD}, "email"),
    ],
)
def test_register_refusals(make_user, django_user_model, payload, field):
    make_user("taken@example.com")
    response = APIClient().post("/api/v1/auth/register", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["code"] and field in body["errors"]
    assert django_user_model.objects.count() == 1


@pytest.mark.parametrize(
    "email, password",
    [
        ("ada@example.com", "wrong-password-1"),
        ("nobody@example.com", PASSWORD),
    ],
)
def test_login_bad_credentials_is_401(make_user, email, password):
    make_user("ada@example.com")
    response = login(APIClient(), email, password)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "access_token" not in response.cookies


def test_inactive_user_cannot_log_in(make_user):
    make_user("gone@example.com", is_active=False)
    assert login(APIClient(), "gone@example.com").status_code == 401


def test_refresh_with_body_and_with_cookie(make_user):
    make_user("ada@example.com")
    client = APIClient()
    tokens = login(client, "ada@example.com").json()

    by_body = APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert by_body.status_code == 200 and set(by_body.json()) == {"access"}
    assert by_body.cookies["access_token"].value == by_body.json()["access"]

    by_cookie = client.post("/api/v1/auth/refresh/")  # the login set the refresh_token cookie
    assert by_cookie.status_code == 200
    AccessToken(by_cookie.json()["access"])  # a valid access token, or this raises


def test_refresh_refusals(make_user):
    make_user("ada@example.com")
    assert APIClient().post("/api/v1/auth/refresh", {}, format="json").status_code == 401
    forged = APIClient().post("/api/v1/auth/refresh", {"refresh": "not.a.token"}, format="json")
    assert forged.status_code == 401 and forged["WWW-Authenticate"].startswith("Bearer")


def test_logout_blacklists_refresh_and_clears_cookies(make_user):
    make_user("ada@example.com")
    client = APIClient()
    tokens = login(client, "ada@example.com").json()
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 204
    for name in ("access_token", "refresh_token"):
        cookie = response.cookies[name]
        assert cookie.value == "" and cookie["max-age"] == 0
        assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    again = APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401


def test_logout_with_body_token(make_user):
    make_user("ada@example.com")
    tokens = login(APIClient(), "ada@example.com").json()
    assert APIClient().post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json").status_code == 204
    assert APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 401


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _tokens(user) -> dict[str, str]:
    valid = AccessToken.for_user(user)
    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(minutes=1))
    claims = dict(valid.payload)
    header, payload, signature = str(valid).split(".")
    return {
        "expired": str(expired),
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "forged_signature": f"{header}.{payload}.{signature[::-1]}",
        "other_key": __import__("jwt").encode(claims, "another-secret-key-that-is-long-enough-32", "HS256"),
        "garbage": "abc.def.ghi",
        "refresh_as_access": str(RefreshToken.for_user(user)),
    }


@pytest.mark.parametrize(
    "kind", ["expired", "alg_none", "forged_signature", "other_key", "garbage", "refresh_as_access"]
)
@pytest.mark.parametrize("via", ["header", "cookie"])
def test_bad_tokens_are_401(user, kind, via):
    token = _tokens(user)[kind]
    client = APIClient()
    if via == "header":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        client.cookies[settings.JWT_ACCESS_COOKIE] = token
    response = client.get("/api/v1/profile/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"] and response.json()["code"]


def test_missing_credentials_is_401():
    response = APIClient().get("/api/v1/profile/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == "not_authenticated"


def test_token_of_deleted_user_is_401(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    user.delete()
    assert client.get("/api/v1/profile/me").status_code == 401


def cookie_client(user) -> APIClient:
    client = APIClient()
    client.cookies[settings.JWT_ACCESS_COOKIE] = str(AccessToken.for_user(user))
    return client


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({}, 200),  # curl-like: no Origin, no Referer
        ({"HTTP_ORIGIN": "http://testserver"}, 200),
        ({"HTTP_REFERER": "http://testserver/app/page"}, 200),
        ({"HTTP_ORIGIN": "https://app.critvue.test"}, 200),  # in CSRF_TRUSTED_ORIGINS
        ({"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}, 200),
        ({"HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_ORIGIN": "https://app.critvue.test:8443"}, 403),  # port must match
        ({"HTTP_ORIGIN": "http://app.critvue.test"}, 403),  # scheme must match
        ({"HTTP_ORIGIN": "null"}, 403),
        ({"HTTP_REFERER": "https://evil.example/page"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, 403),
    ],
)
def test_cookie_auth_cross_site_rule_on_unsafe_methods(settings, user, headers, expected):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.critvue.test"]
    response = cookie_client(user).patch("/api/v1/profile/me", {"bio": "hi"}, format="json", **headers)
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "cross_site_request"
        user.refresh_from_db()
        assert user.bio == ""


def test_cross_site_rule_spares_safe_methods_and_bearer(user):
    assert cookie_client(user).get("/api/v1/profile/me", HTTP_ORIGIN="https://evil.example").status_code == 200
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    response = bearer.patch(
        "/api/v1/profile/me",
        {"bio": "x"},
        format="json",
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 200


def test_cookie_refresh_and_logout_refuse_cross_site(make_user):
    make_user("ada@example.com")
    client = APIClient()
    login(client, "ada@example.com")
    assert client.post("/api/v1/auth/refresh", HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.post("/api/v1/auth/logout", HTTP_SEC_FETCH_SITE="cross-site").status_code == 403


def test_stale_cookie_does_not_block_login(make_user):
    make_user("ada@example.com")
    client = APIClient()
    client.cookies[settings.JWT_ACCESS_COOKIE] = "stale.token.value"
    assert login(client, "ada@example.com").status_code == 200


def test_cookies_are_not_secure_in_debug(settings, make_user):
    # The Secure flag is decided per response from DEBUG at import time; check the helper directly.
    from rest_framework.response import Response

    from accounts import views

    settings.DEBUG = True
    response = Response()
    views.set_cookie(response, "access_token", "x", timedelta(minutes=1))
    assert response.cookies["access_token"]["secure"] == ""


@pytest.mark.parametrize("body", [{"refresh": ""}, {"refresh": "   "}, {}])
def test_refresh_without_a_token_is_401(body):
    response = APIClient().post("/api/v1/auth/refresh", body, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("change", ["deactivated", "deleted"])
@pytest.mark.parametrize("via", ["body", "cookie"])
def test_refresh_of_a_deactivated_or_deleted_user_is_401(make_user, change, via):
    user = make_user("ada@example.com")
    client = APIClient()
    tokens = login(client, "ada@example.com").json()
    if change == "deactivated":
        user.is_active = False
        user.save()
    else:
        user.delete()
    body = {"refresh": tokens["refresh"]} if via == "body" else {}
    response = client.post("/api/v1/auth/refresh", body, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "No active account found for the given token.", "code": "no_active_account"}
    assert "access_token" not in response.cookies
