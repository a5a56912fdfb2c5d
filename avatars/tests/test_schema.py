"""The OpenAPI schema documents the avatar endpoints."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema() -> dict:
    response = APIClient().get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def resolve(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_upload_is_multipart_with_a_binary_file(schema):
    post = schema["paths"]["/api/v1/profile/me/avatar"]["post"]
    body = resolve(schema, post["requestBody"]["content"]["multipart/form-data"]["schema"])
    assert body["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "JPEG, PNG, WebP or GIF, judged by its bytes.",
    }
    assert body["required"] == ["file"]
    answer = resolve(schema, post["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(answer["properties"]) == {
        "avatar_url",
        "message",
        "variants",
        "metadata",
        "blurhash",
        "moderation_status",
        "moderation_reason",
        "pending",
    }
    assert {"202", "400", "401", "403", "429"} <= set(post["responses"])


def test_get_and_delete_are_documented(schema):
    path = schema["paths"]["/api/v1/profile/me/avatar"]
    [size] = path["get"]["parameters"]
    assert size["name"] == "size" and sorted(size["schema"]["enum"]) == [
        "full",
        "large",
        "medium",
        "small",
        "thumbnail",
    ]
    assert set(
        resolve(schema, path["get"]["responses"]["200"]["content"]["application/json"]["schema"])["properties"]
    ) == {"avatar_url", "size", "blurhash", "moderation_status", "moderation_reason", "pending"}
    assert set(
        resolve(schema, path["delete"]["responses"]["200"]["content"]["application/json"]["schema"])["properties"]
    ) == {"message", "files_deleted"}
    assert "/health/avatar" in schema["paths"]
