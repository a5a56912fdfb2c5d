"""Routing, JSON error shapes, health, metrics and the OpenAPI docs."""

import socket

import pytest
from django.db import connection
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/auth/register", "/api/v1/auth/register/"])
def test_post_works_with_and_without_slash(path):
    response = APIClient().post(
        path, {"email": f"a{len(path)}@example.com", "password": "Correct-Horse-42"}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/profile/me",
        "/api/v1/profile/me/",
        "/health",
        "/health/",
        "/metrics",
        "/metrics/",
        "/api/schema",
        "/api/schema/",
        "/api/docs",
        "/api/docs/",
    ],
)
def test_get_routes_answer_without_redirect(api, path):
    assert api.get(path).status_code == 200


def test_unknown_api_path_is_json_404():
    response = APIClient().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_method_not_allowed_is_json():
    response = APIClient().get("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed" and response.json()["detail"]


def test_malformed_json_is_400_with_code():
    response = APIClient().post("/api/v1/auth/login", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_unsupported_media_type_is_415():
    response = APIClient().post("/api/v1/auth/login", "x", content_type="text/csv")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_server_error_is_json(client, settings):
    from django.test import RequestFactory

    from critvue.exceptions import server_error

    response = server_error(RequestFactory().get("/api/v1/x"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert set(__import__("json").loads(response.content)) == {"detail", "code"}


def test_health_ok_reports_every_component():
    response = APIClient().get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "storage": {"avatars": "ok", "persona_media": "ok"},
    }


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_health_503_when_database_unreachable():
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/critvue/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        response = APIClient().get("/health")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["database"] == "error" and response.json()["status"] == "error"


def test_health_503_when_storage_unreachable(settings, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_bytes(b"x")
    settings.STORAGES = {
        **settings.STORAGES,
        "persona_media": {
            "BACKEND": "mediakit.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(blocker / "sub")},
        },
    }
    response = APIClient().get("/health")
    assert response.status_code == 503
    assert response.json()["storage"] == {"avatars": "ok", "persona_media": "error"}


def test_health_503_when_s3_unreachable(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "avatars": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "nowhere",
                "endpoint_url": f"http://127.0.0.1:{closed_port()}",
                "access_key": "x",
                "secret_key": "x",
                "region_name": "us-east-1",
            },
        },
    }
    response = APIClient().get("/health")
    assert response.status_code == 503
    assert response.json()["storage"]["avatars"] == "error"


def test_health_on_s3(s3_storages):
    response = APIClient().get("/health")
    assert response.status_code == 200, response.json()


def test_metrics_is_prometheus_text():
    APIClient().get("/health")
    response = APIClient().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert "process_" in text or "python_info" in text


def test_openapi_schema_and_offline_docs():
    schema = APIClient().get("/api/schema", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/auth/login" in doc["paths"] and "/api/v1/profile/me" in doc["paths"]
    page = APIClient().get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower() and "https://" not in html


def test_schema_documents_auth_alternatives_and_error_responses():
    doc = APIClient().get("/api/schema", HTTP_ACCEPT="application/json").json()
    assert set(doc["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            if operation.get("security"):
                # A signed URL (`sig`) stands in for credentials on a media file's download and preview.
                signed = path.endswith(("/download", "/preview")) and path.startswith("/upload/files/")
                assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}] + [{}] * signed, where
                assert "401" in operation["responses"], where
                # The cookie's same-site rule refuses unsafe methods only.
                assert ("403" in operation["responses"]) == (method != "get" or signed), where
            if "{" in path:
                error = operation["responses"]["404"]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/Error"}, where
    assert "401" in doc["paths"]["/api/v1/auth/login"]["post"]["responses"]


def test_schema_documents_411_for_every_operation_with_a_body():
    doc = APIClient().get("/api/schema", HTTP_ACCEPT="application/json").json()
    with_body = [
        (path, method, operation)
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
        if operation.get("requestBody")
    ]
    assert with_body
    for path, method, operation in with_body:
        assert operation["responses"]["411"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, f"{method} {path}"


def test_schema_documents_every_field_an_error_carries():
    doc = APIClient().get("/api/schema", HTTP_ACCEPT="application/json").json()
    error = doc["components"]["schemas"]["Error"]
    assert {"detail", "code", "errors", "existing_id", "messages"} <= set(error["properties"])
    assert error["additionalProperties"] is True and error["properties"]["existing_id"]["type"] == "integer"


def test_schema_documents_the_statuses_each_operation_can_answer():
    """What a view is made of says which errors it can give: a body, a query, credentials, negotiation, a limit."""
    doc = APIClient().get("/api/schema", HTTP_ACCEPT="application/json").json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            where, statuses = f"{method.upper()} {path}", set(operation["responses"])
            assert "503" in statuses and "500" not in statuses, where
            assert operation["responses"]["503"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}, where
            if operation.get("requestBody"):
                assert {"400", "408", "411", "413", "415"} <= statuses, where
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert response["description"], (where, status)
                    if (path, status) in (("/health", "503"), ("/health/avatar", "503")):
                        continue  # a health report's own body, naming what is down
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }, (where, status)
    avatar, login = doc["paths"]["/api/v1/profile/me/avatar"], doc["paths"]["/api/v1/auth/login"]["post"]
    assert "429" in avatar["post"]["responses"] and "429" in avatar["delete"]["responses"]
    assert "429" not in avatar["get"]["responses"]  # only uploads and deletes are rate-limited
    assert {"401", "429"} <= set(login["responses"])
    assert "507" in doc["paths"]["/upload/persona/{persona_id}/image"]["post"]["responses"]
    assert "406" in avatar["get"]["responses"]  # JSON only; a download answers any Accept
    assert "406" not in doc["paths"]["/upload/files/{id}/download"]["get"]["responses"]


def test_schema_documents_the_body_of_account_erasure():
    doc = APIClient().get("/api/schema", HTTP_ACCEPT="application/json").json()
    body = doc["paths"]["/api/v1/profile/me"]["delete"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert body["required"] is True and doc["components"]["schemas"][ref]["required"] == ["password"]
