import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_patch_profile_updates_allowed_fields(api, user):
    response = api.patch(
        "/api/v1/profile/me",
        {"full_name": "Ada", "bio": "Paints", "title": "Illustrator", "specialty_tags": ["ink", "color"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["specialty_tags"] == ["ink", "color"]
    user.refresh_from_db()
    assert (user.full_name, user.bio, user.title, user.specialty_tags) == (
        "Ada",
        "Paints",
        "Illustrator",
        ["ink", "color"],
    )


def test_patch_ignores_read_only_fields(api, user):
    response = api.patch(
        "/api/v1/profile/me",
        {"email": "x@evil.test", "role": "admin", "is_verified": True, "avatar_url": "/x.jpg", "badges": ["top"]},
        format="json",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.email, user.role, user.is_verified, user.avatar_url, user.badges) == (
        user.email,
        "creator",
        False,
        None,
        [],
    )
    assert user.email.endswith("@example.com")


@pytest.mark.parametrize(
    "payload",
    [
        {"specialty_tags": "not-a-list"},
        {"specialty_tags": ["x" * 51]},
        {"specialty_tags": [f"t{i}" for i in range(21)]},
        {"title": "t" * 256},
        {"bio": "b" * 5001},
    ],
)
def test_patch_validation_errors(api, payload):
    response = api.patch("/api/v1/profile/me", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["code"] and body["errors"]


def test_put_is_not_allowed_as_json(api):
    response = api.put("/api/v1/profile/me", {"bio": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_profile_requires_auth():
    assert APIClient().patch("/api/v1/profile/me", {"bio": "x"}, format="json").status_code == 401
