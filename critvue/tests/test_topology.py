"""The production topology, tested for real: nginx in front of two gunicorn masters over one
PostgreSQL, one Redis and one storage (deploy/README.md). Everything goes through nginx's ports:
`both` balances over the two instances, `a` and `b` pin one of them."""
import time

import django_ratelimit.core
import pytest
import requests

from avatars.tests.images import photo_jpeg
from avatars.views import FILE_HEADERS
from critvue.tests.topology import account, create_persona, upload_avatar, upload_media
from persona_media.tests.files import jpeg as media_jpeg

pytestmark = pytest.mark.django_db(transaction=True)  # the instances write to the test database


def test_login_on_one_refresh_on_the_other_logout_revokes_on_both(local_site):
    who = account(local_site, via="a")
    refreshed = requests.post(local_site.url("/api/v1/auth/refresh", "b"), json={"refresh": who.refresh})
    assert refreshed.status_code == 200 and refreshed.json()["access"]
    me = requests.get(local_site.url("/api/v1/profile/me", "b"),
                      headers={"Authorization": f"Bearer {refreshed.json()['access']}"})
    assert (me.status_code, me.json()["email"]) == (200, who.email)
    assert requests.post(local_site.url("/api/v1/auth/logout", "a"), json={"refresh": who.refresh}).status_code == 204
    for via in ("b", "a"):
        again = requests.post(local_site.url("/api/v1/auth/refresh", via), json={"refresh": who.refresh})
        assert again.status_code == 401, again.text


def test_avatar_upload_limit_is_exact_across_instances(local_site):
    """5 uploads per user and window, counted in the one Redis whichever instance answers."""
    who = account(local_site)
    while window_left(who.id) < 20:  # six uploads must not straddle two windows: take a fresh user
        who = account(local_site)
    answers = [upload_avatar(local_site, who, photo_jpeg(120 + i, 120 + i, seed=i), via="ab"[i % 2])
               for i in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[5].json()["code"] == "rate_limited" and int(answers[5].headers["Retry-After"]) >= 1


def window_left(user_id: int) -> float:
    """Seconds left in the user's current rate-limit window (django-ratelimit offsets it per key)."""
    return django_ratelimit.core._get_window(str(user_id), 60) - time.time()


def test_uploads_through_one_instance_are_served_through_the_other(local_site):
    who = account(local_site, via="a")
    avatar = upload_avatar(local_site, who, photo_jpeg(300, 300), via="a")
    assert avatar.status_code == 200, avatar.text
    persona = create_persona(local_site, who, via="a")
    data = media_jpeg(640, 480)
    media = upload_media(local_site, who, persona, data, name="holiday.jpg", via="a")
    assert media.status_code == 201, media.text
    media_id = media.json()["id"]

    assert requests.get(local_site.url("/api/v1/profile/me/avatar", "b"),
                        headers=who.headers).json()["avatar_url"] == avatar.json()["avatar_url"]
    download = requests.get(local_site.url(f"/upload/files/{media_id}/download", "b"), headers=who.headers)
    assert (download.status_code, download.content) == (200, data)
    assert download.headers["Content-Type"] == "image/jpeg"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="holiday.jpg"')


def test_nginx_sends_media_downloads_the_app_hands_over(local_site):
    """X-Accel-Redirect: the app checks who asks and answers with no body; nginx sends the bytes."""
    who = account(local_site)
    persona = create_persona(local_site, who)
    data = media_jpeg(800, 600)
    media_id = upload_media(local_site, who, persona, data).json()["id"]
    path = f"/upload/files/{media_id}/download"

    handed = requests.get(local_site.app_url(path, "a"), headers=who.headers)
    assert (handed.status_code, handed.content) == (200, b"")
    assert handed.headers["X-Accel-Redirect"].startswith("/protected-media/")
    whole = requests.get(local_site.url(path), headers=who.headers)
    assert (whole.status_code, whole.content, whole.headers["ETag"]) == (200, data, handed.headers["ETag"])
    assert whole.headers["X-Content-Type-Options"] == "nosniff" and "X-Accel-Redirect" not in whole.headers
    ranged = requests.get(local_site.url(path), headers={**who.headers, "Range": "bytes=100-1099"})
    assert (ranged.status_code, ranged.content) == (206, data[100:1100])
    assert ranged.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert requests.get(local_site.url(path)).status_code == 401  # nginx never serves it unasked
    assert requests.get(local_site.url(f"/protected-media/{who.id}/{persona}/")).status_code == 404


def test_nginx_serves_avatar_files_from_the_folder_with_the_contract_headers(local_site):
    who = account(local_site)
    first = upload_avatar(local_site, who, photo_jpeg(300, 300, seed=3)).json()["variants"]
    current = upload_avatar(local_site, who, photo_jpeg(300, 300, seed=4)).json()["variants"]
    for url in current.values():
        served = requests.get(local_site.url(url))
        assert served.status_code == 200
        assert served.content == (local_site.avatars / url.removeprefix("/files/avatars/")).read_bytes()
        assert served.headers["Content-Type"] == "image/jpeg"
        assert {h: served.headers[h] for h in FILE_HEADERS} == FILE_HEADERS
    # A Range answered 206 shows nginx sent it: the app's own file view answers ranges with 200.
    ranged = requests.get(local_site.url(current["small"]), headers={"Range": "bytes=0-9"})
    assert (ranged.status_code, len(ranged.content)) == (206, 10)
    for url in (*first.values(), "/files/avatars/medium/", "/files/avatars/../avatars/x.jpg"):
        gone = requests.get(local_site.url(url))
        assert (gone.status_code, gone.json()["code"]) == (404, "not_found")
    refused = requests.post(local_site.url(current["small"]))
    assert (refused.status_code, refused.json()["code"]) == (405, "method_not_allowed")


def test_downloads_on_s3_are_presigned_redirects(s3_site):
    who = account(s3_site, via="a")
    persona = create_persona(s3_site, who, via="a")
    data = media_jpeg(320, 240)
    media_id = upload_media(s3_site, who, persona, data, via="a").json()["id"]
    redirect = requests.get(s3_site.url(f"/upload/files/{media_id}/download", "b"), headers=who.headers,
                            allow_redirects=False)
    assert redirect.status_code == 302 and "Signature=" in redirect.headers["Location"]
    fetched = requests.get(redirect.headers["Location"])
    assert (fetched.status_code, fetched.content) == (200, data)
    avatar = upload_avatar(s3_site, who, photo_jpeg(200, 200), via="b").json()
    assert avatar["avatar_url"].startswith(s3_site.env["AWS_S3_ENDPOINT_URL"])
    assert requests.get(avatar["avatar_url"]).status_code == 200
