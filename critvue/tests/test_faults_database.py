"""A database that refuses connections (a closed port) or never answers (a listener that accepts and
stays silent): health and API answer 503 JSON, never a 500 or a hang."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from avatars import services as avatar_services
from testkit import faults
from testkit import images as I
from testkit.net import free_port

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")]


@pytest.fixture
def closed_database():
    with faults.database_at(free_port()):
        yield


@pytest.fixture
def hung_database():
    with faults.silent_listener() as port, faults.database_at(port, connect_timeout=2):  # libpq's minimum
        yield


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "service_unavailable" and "database" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("database", ["closed_database", "hung_database"])
def test_avatar_health_is_503_json(request, settings, database):
    settings.SECRET_KEY = "a-long-random-test-secret-value-0123456789-abcdefghij"
    request.getfixturevalue(database)
    response = faults.completes(lambda: APIClient().get("/health/avatar"))
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy", "config_valid": True,
                               "errors": ["The database is unavailable (error)."],
                               "storage": {"total_files": None, "total_size_mb": None}}


def test_health_names_a_hung_database(hung_database):
    response = faults.completes(lambda: APIClient().get("/health"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok",
                               "storage": {"avatars": "ok", "persona_media": "ok"}}


def test_authenticated_requests_are_503(user, api):
    client = api
    with faults.database_at(free_port()):
        assert_unavailable(client.get("/api/v1/profile/me"))
        assert_unavailable(client.post("/api/v1/personas", {"name": "Ada"}, format="json"))
        assert_unavailable(client.post("/api/v1/auth/login", {"email": user.email, "password": "x"}, format="json"))
    assert client.get("/api/v1/profile/me").status_code == 200


def test_avatar_files_are_503_while_the_database_is_down(user):
    avatar = avatar_services.avatar_replace(user=user, upload=SimpleUploadedFile("a.jpg", I.photo_jpeg(300, 300)))
    path = avatar.urls["small"]
    with faults.database_at(free_port()):
        assert_unavailable(APIClient().get(path))
    assert APIClient().get(path).status_code == 200
