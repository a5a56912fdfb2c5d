"""A database that refuses connections (a closed port), never answers (a listener that accepts and
stays silent), stops answering on an open connection (a frozen proxy) or is stuck on a lock past
statement_timeout: health and API answer 503 JSON, never a 500 or a hang, and leave nothing
half-written."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from accounts.models import User
from avatars import services as avatar_services
from avatars.models import AvatarVariant
from avatars.tests.support import post_avatar
from avatars.tests.support import stored_names as avatar_files
from testkit import faults
from testkit import images as I
from testkit.net import free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


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
    assert response.json() == {
        "status": "unhealthy",
        "config_valid": True,
        "errors": ["The database is unavailable (error)."],
        "storage": {"total_files": None, "total_size_mb": None},
    }


def test_health_names_a_hung_database(hung_database):
    response = faults.completes(lambda: APIClient().get("/health"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error",
        "cache": "ok",
        "storage": {"avatars": "ok", "persona_media": "ok"},
    }


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


def test_a_statement_stuck_on_a_lock_is_503_and_leaves_no_file(user, api):
    old = avatar_services.avatar_replace(user=user, upload=SimpleUploadedFile("a.jpg", I.photo_jpeg(300, 300)))
    before = avatar_files()
    locked, release = threading.Event(), threading.Event()

    def hold_the_users_row():
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=user.pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_users_row)
    holder.start()
    try:
        assert locked.wait(10)
        # The upload stores its five variants, then waits for the user's row lock: statement_timeout ends it.
        with faults.database_at(None, options="-c statement_timeout=500"):
            response = faults.completes(lambda: post_avatar(api, I.photo_jpeg(400, 400)))
    finally:
        release.set()
        holder.join()
    assert_unavailable(response)
    user.refresh_from_db()
    assert user.avatar_url == old.urls["medium"]
    assert avatar_files() == before == set(AvatarVariant.objects.values_list("stored_name", flat=True))


def test_a_database_that_stops_answering_on_an_open_connection_is_503_and_leaves_no_file(user, api):
    """statement_timeout cannot help when the server is silent; the client-side deadline does."""
    old = avatar_services.avatar_replace(user=user, upload=SimpleUploadedFile("a.jpg", I.photo_jpeg(300, 300)))
    before = avatar_files()
    server = connection.settings_dict
    with (
        faults.tcp_proxy(server["HOST"] or "127.0.0.1", int(server["PORT"] or 5432)) as proxy,
        faults.database_at(proxy.port),
    ):
        connection.settings_dict["QUERY_TIMEOUT"] = 1

        def upload_after_the_server_froze():
            assert api.get("/api/v1/profile/me").status_code == 200  # this thread's connection, open
            with proxy.frozen():
                return post_avatar(api, I.photo_jpeg(400, 400))

        response = faults.completes(upload_after_the_server_froze, seconds=20)
        assert_unavailable(response)
        assert api.get("/api/v1/profile/me").status_code == 200  # answering again: a new connection
    user.refresh_from_db()
    assert user.avatar_url == old.urls["medium"]
    assert avatar_files() == before == set(AvatarVariant.objects.values_list("stored_name", flat=True))


def test_waits_psycopg_bounds_itself_keep_their_own_expiry():
    """notifies(timeout=...) ends quietly at its own timeout; the deadline does not drop the connection."""
    connection.ensure_connection()
    raw = connection.connection
    raw.deadline = 0.5
    raw.execute("LISTEN critvue_test_channel")
    assert list(raw.notifies(timeout=0.2)) == []
    assert not raw.closed and raw.execute("SELECT 1").fetchone() == (1,)
