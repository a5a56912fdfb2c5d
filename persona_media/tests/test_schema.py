"""The OpenAPI schema documents every persona and media endpoint, with the right bodies."""

import pytest
from rest_framework.test import APIClient

PATHS = {
    "/api/v1/personas": {"get", "post"},
    "/api/v1/personas/{id}": {"get", "put", "patch", "delete"},
    "/upload/persona/{persona_id}/image": {"post"},
    "/upload/persona/{persona_id}/video": {"post"},
    "/upload/persona/{persona_id}/files": {"get"},
    "/upload/files/{id}": {"get", "put", "patch", "delete"},
    "/upload/files/{id}/download": {"get"},
    "/upload/files/{id}/preview": {"get"},
    "/upload/stats": {"get"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_documented(schema):
    for path, methods in PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_upload_is_multipart_with_a_binary_file(schema):
    body = schema["paths"]["/upload/persona/{persona_id}/image"]["post"]["requestBody"]["content"]
    form = body["multipart/form-data"]["schema"]
    ref = form["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][ref]["properties"]
    assert properties["file"] == {
        "type": "string",
        "format": "binary",
        "description": properties["file"].get("description"),
    }
    assert properties["description"]["maxLength"] == 1000
    assert {"201", "400", "404", "413"} <= set(
        schema["paths"]["/upload/persona/{persona_id}/image"]["post"]["responses"]
    )


def test_download_is_binary(schema):
    responses = schema["paths"]["/upload/files/{id}/download"]["get"]["responses"]
    binary = {"type": "string", "format": "binary"}
    assert {kind: body["schema"] for kind, body in responses["200"]["content"].items()} == {
        "image/jpeg": binary,
        "image/png": binary,
        "video/mp4": binary,
    }
    assert {"206", "304", "403", "404", "416"} <= set(responses)


def test_preview_is_an_image(schema):
    responses = schema["paths"]["/upload/files/{id}/preview"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"image/jpeg", "image/webp"}
    assert {"304", "403", "404"} <= set(responses)


def test_list_documents_the_media_type_filter(schema):
    parameters = schema["paths"]["/upload/persona/{persona_id}/files"]["get"]["parameters"]
    media_type = next(p for p in parameters if p["name"] == "media_type")
    assert media_type["in"] == "query" and media_type["schema"]["enum"] == ["image", "video"]
