"""download_url and preview_url work without credentials until MEDIA_URL_TTL; nothing else does."""

import hashlib
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from rest_framework.test import APIClient

from persona_media.models import MediaFile
from persona_media.tests.helpers import post_file, stored_bytes
from testkit import media as files
from testkit.appsettings import app_settings

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def uploaded(api, persona) -> dict:
    response = post_file(api, persona.pk, "image", files.jpeg(800, 600), "photo.jpg")
    assert response.status_code == 201
    return response.json()


def test_both_urls_work_without_credentials(storage_backend, uploaded):
    anonymous = APIClient()
    media = MediaFile.objects.get(pk=uploaded["id"])
    download = anonymous.get(path_of(uploaded["download_url"]))
    assert download.status_code == 200 and body_of(download) == files.jpeg(800, 600)
    preview = anonymous.get(path_of(uploaded["preview_url"]))
    assert preview.status_code == 200
    assert body_of(preview) == stored_bytes(media.preview_name)
    assert preview["Content-Type"] == "image/jpeg"
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert preview["Cache-Control"].startswith("private")
    assert preview["Content-Length"] == str(media.preview_bytes)


def test_the_preview_answers_304_to_its_etag(uploaded):
    url = path_of(uploaded["preview_url"])
    etag = APIClient().get(url)["ETag"]
    again = APIClient().get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content


def test_the_owner_reads_the_preview_with_normal_authentication(api, uploaded):
    response = api.get(f"/upload/files/{uploaded['id']}/preview")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_without_a_signature_or_credentials_it_is_401(uploaded):
    for kind in ("download", "preview"):
        response = APIClient().get(f"/upload/files/{uploaded['id']}/{kind}")
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def tampered(url: str) -> str:
    """The same URL with one character of its signature changed."""
    head, sig = url.rsplit("sig=", 1)
    return head + "sig=" + sig[:-1] + ("A" if sig[-1] != "A" else "B")


def test_an_altered_signature_is_403_bad_signature(uploaded):
    for key in ("download_url", "preview_url"):
        response = APIClient().get(path_of(tampered(uploaded[key])))
        assert (response.status_code, response.json()["code"]) == (403, "bad_signature")


def test_a_signature_for_another_file_or_kind_is_403_bad_signature(api, persona, uploaded):
    other = post_file(api, persona.pk, "image", files.png(90, 90), "other.png").json()
    signature = urlsplit(uploaded["download_url"]).query
    for path in (
        f"/upload/files/{other['id']}/download?{signature}",
        f"/upload/files/{uploaded['id']}/preview?{signature}",
    ):
        response = APIClient().get(path)
        assert (response.status_code, response.json()["code"]) == (403, "bad_signature")


def test_an_expired_url_is_403_url_expired(settings, monkeypatch, uploaded):
    app_settings(settings, "PERSONA_MEDIA", URL_TTL=60)
    later = time.time() + 61
    monkeypatch.setattr(signing.time, "time", lambda: later)  # the clock a minute on
    for key in ("download_url", "preview_url"):
        response = APIClient().get(path_of(uploaded[key]))
        assert (response.status_code, response.json()["code"]) == (403, "url_expired")


def test_within_the_ttl_it_still_works(settings, monkeypatch, uploaded):
    app_settings(settings, "PERSONA_MEDIA", URL_TTL=60)
    later = time.time() + 55
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert APIClient().get(path_of(uploaded["preview_url"])).status_code == 200


def test_a_deleted_file_is_404(api, uploaded):
    assert api.delete(f"/upload/files/{uploaded['id']}").status_code == 204
    for key in ("download_url", "preview_url"):
        response = APIClient().get(path_of(uploaded[key]))
        assert response.status_code == 404


def test_every_response_carries_fresh_urls(api, persona, uploaded, monkeypatch):
    later = time.time() + 30
    monkeypatch.setattr(signing.time, "time", lambda: later)
    listed = api.get(f"/upload/persona/{persona.pk}/files").json()["results"][0]
    assert listed["download_url"] != uploaded["download_url"]
    assert hashlib.sha256(body_of(APIClient().get(path_of(listed["download_url"])))).hexdigest() == uploaded["sha256"]
