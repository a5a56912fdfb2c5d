"""GET /health/avatar: configuration errors and what the stored variants add up to."""

import pytest
from rest_framework.test import APIClient

from avatars.models import AvatarVariant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_secret(settings):
    settings.SECRET_KEY = "a-long-random-test-secret-value-0123456789-abcdefghij"


@pytest.mark.parametrize("path", ["/health/avatar", "/health/avatar/"])
def test_healthy_with_no_avatars(path):
    response = APIClient().get(path)
    assert response.status_code == 200
    assert response.json() == {
        "status": "healthy",
        "config_valid": True,
        "errors": [],
        "storage": {"total_files": 0, "total_size_mb": 0.0},
    }


@pytest.mark.django_db(transaction=True)  # the probe reads in its own thread and connection: committed rows
def test_storage_totals_come_from_the_variant_rows(user, make_user, make_avatar):
    make_avatar(user)
    make_avatar(make_user())
    total = sum(AvatarVariant.objects.values_list("size_bytes", flat=True))
    storage = APIClient().get("/health/avatar").json()["storage"]
    assert storage == {"total_files": 10, "total_size_mb": round(total / 1024 / 1024, 3)}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"AVATAR_STORAGE_TYPE": "ftp"}, "AVATAR_STORAGE_TYPE is 'ftp'."),
        (
            {"AVATARS": {"MAX_UPLOAD_BYTES": 0}},
            "AVATARS['MAX_UPLOAD_BYTES'] must be a positive number of bytes, not 0.",
        ),
        ({"AVATARS": {"BASE_URL": "files/avatars"}}, "AVATARS['BASE_URL'] is 'files/avatars'."),
    ],
)
def test_unhealthy_configuration_is_503_with_the_messages(settings, changes, message):
    for name, value in changes.items():
        setattr(settings, name, {**getattr(settings, name), **value} if isinstance(value, dict) else value)
    response = APIClient().get("/health/avatar")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["config_valid"], body["errors"]) == ("unhealthy", False, [message])
