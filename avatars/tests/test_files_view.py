"""The /files/avatars/... view: current variant files only, with image headers."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from rest_framework.test import APIClient

from avatars.tests.support import stored_bytes
from testkit import images as I

pytestmark = pytest.mark.django_db

BASE = "/files/avatars/"


@pytest.fixture
def avatar(user, make_avatar):
    return make_avatar(user)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param(lambda: I.photo_jpeg(600, 400), "image/jpeg", id="jpeg"),
        pytest.param(lambda: I.png_rgba(300, 300), "image/webp", id="png"),
        pytest.param(lambda: I.webp(300, 300, alpha=True), "image/webp", id="webp"),
    ],
)
def test_serves_every_variant_with_image_headers(user, make_avatar, data, content_type):
    avatar = make_avatar(user, data())
    for variant in avatar.variants.all():
        response = APIClient().get(BASE + variant.stored_name)  # public: no credentials
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["Content-Length"] == str(variant.size_bytes)
        assert response.streaming
        assert b"".join(response.streaming_content) == stored_bytes(variant.stored_name)


def test_head_of_a_file_gone_from_storage_is_404_like_its_get(avatar):
    name = avatar.variants.get(label="small").stored_name
    storages["avatars"].delete(name)
    assert APIClient().get(BASE + name).status_code == 404
    assert APIClient().head(BASE + name).status_code == 404


def test_head_answers_without_a_body(avatar):
    name = avatar.variants.get(label="small").stored_name
    response = APIClient().head(BASE + name)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused(avatar, method):
    name = avatar.variants.get(label="small").stored_name
    response = getattr(APIClient(), method)(BASE + name)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("", id="root"),
        pytest.param("medium", id="folder"),
        pytest.param("medium/", id="folder-slash"),
        pytest.param("medium/avatar_1_0000000000000000_medium.jpg", id="unknown-name"),
        pytest.param("../avatars/{name}", id="dot-dot"),
        pytest.param("medium/../{name}", id="dot-dot-inside"),
        pytest.param("%2e%2e/avatars/{name}", id="encoded-dot-dot"),
        pytest.param("medium%2f..%2f{name}", id="encoded-slash"),
        pytest.param("./{name}", id="dot"),
        pytest.param("{name}/", id="trailing-slash"),
        pytest.param("/{name}", id="double-slash"),
        pytest.param("%252e%252e/{name}", id="double-encoded"),
        pytest.param("{name}%00", id="nul"),
        pytest.param("..%5c{name}", id="backslash"),
    ],
)
def test_anything_but_a_current_variant_is_404(avatar, path):
    name = avatar.variants.get(label="medium").stored_name
    response = APIClient().get(BASE + path.format(name=name))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_stray_files_are_not_served(avatar):
    storage = storages["avatars"]
    stray = storage.save("medium/avatar_1_ffffffffffffffff_medium.jpg", ContentFile(I.photo_jpeg(100, 100)))
    other = storage.save("notes.txt", ContentFile(b"secret"))
    assert APIClient().get(BASE + stray).status_code == 404
    assert APIClient().get(BASE + other).status_code == 404


def test_a_row_whose_file_is_gone_is_404(avatar):
    variant = avatar.variants.get(label="large")
    storages["avatars"].delete(variant.stored_name)
    assert APIClient().get(BASE + variant.stored_name).status_code == 404


@pytest.mark.s3
def test_not_served_with_cloud_storage(s3_storages, user, make_avatar):
    avatar = make_avatar(user)
    variant = avatar.variants.get(label="medium")
    assert (
        variant.url.startswith("http://127.0.0.1:") and f"/{s3_storages}/avatars/{variant.stored_name}" in variant.url
    )
    assert APIClient().get(BASE + variant.stored_name).status_code == 404
