"""/api/v1/personas: CRUD of the caller's own personas; deleting one takes its media along."""

import pytest
from rest_framework.test import APIClient

from persona_media.models import MediaFile, Persona
from persona_media.tests.helpers import stored_files

FIELDS = {"id", "name", "description", "created_at", "updated_at"}


@pytest.mark.parametrize("path", ["/api/v1/personas", "/api/v1/personas/"])
def test_create(api, user, path):
    response = api.post(path, {"name": "Ada", "description": "Analyst"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert (body["name"], body["description"]) == ("Ada", "Analyst")
    assert Persona.objects.get(pk=body["id"]).user == user


def test_description_is_optional(api):
    response = api.post("/api/v1/personas", {"name": "Ada"}, format="json")
    assert response.status_code == 201
    assert response.json()["description"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "a", "description": "d" * 5001}, "description"),
    ],
)
def test_create_refuses_invalid_input(api, body, field):
    response = api.post("/api/v1/personas", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Persona.objects.count() == 0


def test_list_is_paginated_newest_first_and_only_mine(api, user, make_user):
    mine = [Persona.objects.create(user=user, name=f"p{i}") for i in range(3)]
    Persona.objects.create(user=make_user(), name="theirs")
    response = api.get("/api/v1/personas", {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["previous"] is None and body["next"]
    assert [p["id"] for p in body["results"]] == [mine[2].pk, mine[1].pk]
    second = api.get(body["next"]).json()
    assert [p["id"] for p in second["results"]] == [mine[0].pk]


@pytest.mark.parametrize("path", ["/api/v1/personas/{}", "/api/v1/personas/{}/"])
def test_retrieve_update_and_patch(api, persona, path):
    url = path.format(persona.pk)
    assert api.get(url).json()["name"] == "Ada"
    response = api.put(url, {"name": "Grace", "description": "Admiral"}, format="json")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["description"]) == ("Grace", "Admiral")
    response = api.patch(url, {"description": "Compiler pioneer"}, format="json")
    assert response.status_code == 200
    persona.refresh_from_db()
    assert (persona.name, persona.description) == ("Grace", "Compiler pioneer")


@pytest.mark.django_db(transaction=True)
def test_delete_takes_the_media_rows_and_files(storage_backend, api, persona, upload):
    assert upload(persona, "image").status_code == 201
    assert upload(persona, "video").status_code == 201
    kept = Persona.objects.create(user=persona.user, name="Kept")
    assert upload(kept, "image").status_code == 201
    response = api.delete(f"/api/v1/personas/{persona.pk}")
    assert response.status_code == 204
    assert not Persona.objects.filter(pk=persona.pk).exists()
    assert list(MediaFile.objects.values_list("persona_id", flat=True)) == [kept.pk]
    assert stored_files() == sorted(MediaFile.objects.get().stored_names)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_persona_is_not_found(make_user, client_for, persona, method):
    intruder = client_for(make_user())
    response = getattr(intruder, method)(f"/api/v1/personas/{persona.pk}", {"name": "Mine now"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    persona.refresh_from_db()
    assert persona.name == "Ada"


def test_personas_need_authentication(persona):
    response = APIClient().get("/api/v1/personas")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
