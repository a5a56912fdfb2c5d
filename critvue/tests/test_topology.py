"""The production topology, tested for real: nginx in front of two gunicorn masters over one
PostgreSQL, one Redis and one storage (deploy/README.md). Everything goes through nginx's ports:
`both` balances over the two instances, `a` and `b` pin one of them."""

import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import django_ratelimit.core
import pytest
import requests

from critvue.tests.topology import account, create_persona, stored_files, upload_avatar, upload_media
from testkit.images import photo_jpeg
from testkit.media import jpeg as media_jpeg

pytestmark = pytest.mark.django_db(transaction=True)  # the instances write to the test database
# API.md, "Serving /files/avatars".
AVATAR_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'",
    "Cache-Control": "public, max-age=31536000, immutable",
}


def test_login_on_one_refresh_on_the_other_logout_revokes_on_both(local_site):
    who = account(local_site, via="a")
    refreshed = requests.post(local_site.url("/api/v1/auth/refresh", "b"), json={"refresh": who.refresh})
    assert refreshed.status_code == 200 and refreshed.json()["access"]
    me = requests.get(
        local_site.url("/api/v1/profile/me", "b"), headers={"Authorization": f"Bearer {refreshed.json()['access']}"}
    )
    assert (me.status_code, me.json()["email"]) == (200, who.email)
    assert requests.post(local_site.url("/api/v1/auth/logout", "a"), json={"refresh": who.refresh}).status_code == 204
    for via in ("b", "a"):
        again = requests.post(local_site.url("/api/v1/auth/refresh", via), json={"refresh": who.refresh})
        assert again.status_code == 401, again.text


def test_avatar_upload_limit_is_exact_across_instances(local_site):
    """5 uploads per user and window, counted in the one Redis whichever instance answers."""
    who = account(local_site)
    while window_left(who.id) < 30:  # six uploads must not straddle two windows: take a fresh user
        who = account(local_site)
    answers = [upload_avatar(local_site, who, photo_jpeg(120 + i, 120 + i, seed=i), via="ab"[i % 2]) for i in range(6)]
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

    assert (
        requests.get(local_site.url("/api/v1/profile/me/avatar", "b"), headers=who.headers).json()["avatar_url"]
        == avatar.json()["avatar_url"]
    )
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
        assert {h: served.headers[h] for h in AVATAR_FILE_HEADERS} == AVATAR_FILE_HEADERS
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
    redirect = requests.get(
        s3_site.url(f"/upload/files/{media_id}/download", "b"), headers=who.headers, allow_redirects=False
    )
    assert redirect.status_code == 302 and "Signature=" in redirect.headers["Location"]
    fetched = requests.get(redirect.headers["Location"])
    assert (fetched.status_code, fetched.content) == (200, data)
    avatar = upload_avatar(s3_site, who, photo_jpeg(200, 200), via="b").json()
    assert avatar["avatar_url"].startswith(s3_site.env["AWS_S3_ENDPOINT_URL"])
    assert requests.get(avatar["avatar_url"]).status_code == 200


@pytest.fixture(params=["local", "s3"])
def site(request):
    return request.getfixturevalue(f"{request.param}_site")


def avatar_files(site, user_id: int) -> set[str]:
    """The user's avatar files in the site's storage (`{size}/{file}`), listed from the storage itself."""
    marker = f"avatar_{user_id}_"
    if site.env.get("AVATAR_STORAGE_TYPE") != "cloud":
        return {name for name in stored_files(site.avatars) if marker in name}
    listing = s3_client(site).list_objects_v2(Bucket=site.env["AWS_STORAGE_BUCKET_NAME"], Prefix="avatars/")
    return {o["Key"].removeprefix("avatars/") for o in listing.get("Contents", []) if marker in o["Key"]}


def media_files(site, user_id: int, persona_id: int) -> set[str]:
    prefix = f"{user_id}/{persona_id}/"
    if site.env.get("MEDIA_STORAGE_TYPE") != "cloud":
        return stored_files(site.media, prefix)
    listing = s3_client(site).list_objects_v2(
        Bucket=site.env["AWS_STORAGE_BUCKET_NAME"], Prefix="persona-media/" + prefix
    )
    return {o["Key"] for o in listing.get("Contents", [])}


def s3_client(site):
    return boto3.client(
        "s3",
        endpoint_url=site.env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def test_concurrent_avatar_replaces_over_both_instances_leave_one_avatar(site):
    who = account(site)
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda i: upload_avatar(site, who, photo_jpeg(150 + i, 150 + i, seed=10 + i), via="ab"[i % 2]), range(4)
            )
        )
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    current = requests.get(site.url("/api/v1/profile/me/avatar"), headers=who.headers).json()["avatar_url"]
    assert current in {a.json()["avatar_url"] for a in answers}
    files = avatar_files(site, who.id)
    assert len(files) == 5 and any(current.endswith(name) for name in files)
    for size in ("thumbnail", "small", "medium", "large", "full"):
        url = requests.get(site.url(f"/api/v1/profile/me/avatar?size={size}"), headers=who.headers).json()["avatar_url"]
        assert requests.get(url if url.startswith("http") else site.url(url)).status_code == 200


@pytest.mark.parametrize("head_start", [0.0, 0.05, 0.2])
def test_persona_deleted_on_one_instance_while_an_upload_into_it_runs_on_the_other(site, head_start):
    who = account(site)
    persona = create_persona(site, who)
    with ThreadPoolExecutor(1) as pool:
        uploading = pool.submit(upload_media, site, who, persona, media_jpeg(2400, 1800), via="a")
        time.sleep(head_start)  # varies which of the two reaches the database first; nothing is timed
        deleted = requests.delete(site.url(f"/api/v1/personas/{persona}", "b"), headers=who.headers)
        upload = uploading.result()
    assert deleted.status_code == 204
    assert upload.status_code in (201, 404), upload.text
    if upload.status_code == 201:
        assert requests.get(site.url(f"/upload/files/{upload.json()['id']}"), headers=who.headers).status_code == 404
    assert requests.get(site.url(f"/api/v1/personas/{persona}"), headers=who.headers).status_code == 404
    assert media_files(site, who.id, persona) == set()
